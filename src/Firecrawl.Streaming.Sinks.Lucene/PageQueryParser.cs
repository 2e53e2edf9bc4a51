using System.Globalization;
using System.Numerics;
using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;

namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>
/// The classic Lucene query syntax over title, description and Markdown (title and description boosted), with the
/// number fields understood as numbers: <c>statusCode:404</c> and <c>statusCode:[400 TO 499]</c> match the indexed
/// values, where the stock parser would compare them as text and find nothing; and the exact-term fields are matched
/// as given, unanalyzed: <c>url:"https://example.com/a b"</c>, <c>key:…</c>, <c>jobId:…</c>, <c>language:en</c>.
/// </summary>
internal sealed class PageQueryParser : MultiFieldQueryParser
{
    private static readonly string[] s_fields = [LuceneFields.Title, LuceneFields.Description, LuceneFields.Markdown];

    public PageQueryParser(Analyzer analyzer, LuceneSearchOptions options)
        : base(LuceneAnalyzers.Version, s_fields, analyzer, Boosts(options))
    {
        DefaultOperator = options.RequireAllTerms ? AND_OPERATOR : OR_OPERATOR;

        // A leading wildcard scans every term of a field; slow on a big index, so it is a syntax error here.
        AllowLeadingWildcard = false;
    }

    protected override Query GetFieldQuery(string field, string queryText, bool quoted) =>
        ExactFieldQuery(field, queryText) ?? base.GetFieldQuery(field, queryText, quoted);

    // Quoted text arrives here, and the base class then calls the bool overload non-virtually, so both need the check.
    protected override Query GetFieldQuery(string field, string queryText, int slop) =>
        ExactFieldQuery(field, queryText) ?? base.GetFieldQuery(field, queryText, slop);

    protected override Query GetRangeQuery(string field, string part1, string part2, bool startInclusive, bool endInclusive)
    {
        return IsNumeric(field)
            ? NumberRange(field, part1, part2, startInclusive, endInclusive)
            : base.GetRangeQuery(field, part1, part2, startInclusive, endInclusive);
    }

    /// <summary>The query for a number or exact-term field, or null for the analyzed text fields.</summary>
    private static Query? ExactFieldQuery(string? field, string queryText)
    {
        if (IsNumeric(field))
        {
            return NumberRange(field!, queryText, queryText, true, true);
        }

        // These fields hold one untokenized term each; analyzing the text would split a URL and never match.
        return field is LuceneFields.Url or LuceneFields.Key or LuceneFields.JobId or LuceneFields.Language
            ? new TermQuery(new Term(field, LuceneFields.ExactTerm(queryText)))
            : null;
    }

    private static Dictionary<string, float> Boosts(LuceneSearchOptions options) => new()
    {
        [LuceneFields.Title] = options.TitleBoost,
        [LuceneFields.Description] = options.DescriptionBoost,
        [LuceneFields.Markdown] = 1f,
    };

    private static bool IsNumeric(string? field) => field is LuceneFields.StatusCode or LuceneFields.Position;

    private static Query NumberRange(string field, string? low, string? high, bool lowInclusive, bool highInclusive)
    {
        return field == LuceneFields.Position
            ? NumericRangeQuery.NewInt64Range(field, Bound<long>(field, low), Bound<long>(field, high), lowInclusive, highInclusive)
            : NumericRangeQuery.NewInt32Range(field, Bound<int>(field, low), Bound<int>(field, high), lowInclusive, highInclusive);
    }

    /// <summary>Parses one end of a range; <c>*</c> (or nothing) leaves that end open.</summary>
    private static T? Bound<T>(string field, string? text)
        where T : struct, IBinaryInteger<T>
    {
        if (text is null or "*")
        {
            return null;
        }

        return T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out T value)
            ? value
            : throw new ParseException($"{field} takes a whole number or a range like [200 TO 299], not '{text}'.");
    }
}
