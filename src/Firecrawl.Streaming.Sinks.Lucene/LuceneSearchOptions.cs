namespace Firecrawl.Streaming.Sinks.Lucene;

/// <summary>Options for <see cref="LuceneIndex"/> searches. Every property has a documented default.</summary>
public sealed class LuceneSearchOptions
{
    /// <summary>Gets or sets the text put before each matched term in a snippet. Default: <c>"**"</c> (Markdown bold).</summary>
    public string HighlightPreTag { get; set; } = "**";

    /// <summary>Gets or sets the text put after each matched term in a snippet. Default: <c>"**"</c>.</summary>
    public string HighlightPostTag { get; set; } = "**";

    /// <summary>Gets or sets the approximate length, in characters, of each snippet fragment. Default: 160.</summary>
    public int FragmentLength { get; set; } = 160;

    /// <summary>Gets or sets how many fragments a snippet joins at most. Default: 2.</summary>
    public int MaxFragments { get; set; } = 2;

    /// <summary>Gets or sets the text between two fragments of a snippet. Default: <c>" … "</c>.</summary>
    public string FragmentSeparator { get; set; } = " … ";

    /// <summary>Gets or sets how much more a match in the title counts than one in the Markdown. Default: 3.</summary>
    public float TitleBoost { get; set; } = 3f;

    /// <summary>Gets or sets how much more a match in the description counts than one in the Markdown. Default: 1.5.</summary>
    public float DescriptionBoost { get; set; } = 1.5f;

    /// <summary>
    /// Gets or sets whether every term of a query must match (<c>AND</c>) rather than any of them (<c>OR</c>), for
    /// terms joined by no operator. Default: false.
    /// </summary>
    public bool RequireAllTerms { get; set; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        Require(HighlightPreTag is not null, nameof(HighlightPreTag), "must not be null");
        Require(HighlightPostTag is not null, nameof(HighlightPostTag), "must not be null");
        Require(FragmentSeparator is not null, nameof(FragmentSeparator), "must not be null");
        Require(FragmentLength is >= 20 and <= 10_000, nameof(FragmentLength), "must be between 20 and 10000");
        Require(MaxFragments is >= 1 and <= 20, nameof(MaxFragments), "must be between 1 and 20");
        Require(float.IsFinite(TitleBoost) && TitleBoost > 0, nameof(TitleBoost), "must be a positive number");
        Require(float.IsFinite(DescriptionBoost) && DescriptionBoost > 0, nameof(DescriptionBoost), "must be a positive number");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{name} {rule}.", name);
        }
    }
}
