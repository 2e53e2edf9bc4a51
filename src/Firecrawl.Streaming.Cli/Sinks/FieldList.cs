using Firecrawl.Streaming.Cli.Errors;

namespace Firecrawl.Streaming.Cli.Sinks;

/// <summary>Parses <c>--fields markdown,metadata,...</c> into <see cref="PageFields"/>.</summary>
internal static class FieldList
{
    private static readonly (string Name, PageFields Field)[] Names =
    [
        ("markdown", PageFields.Markdown),
        ("html", PageFields.Html),
        ("rawHtml", PageFields.RawHtml),
        ("links", PageFields.Links),
        ("screenshot", PageFields.Screenshot),
        ("summary", PageFields.Summary),
        ("metadata", PageFields.Metadata),
        ("other", PageFields.Other),
        ("all", PageFields.All),
    ];

    /// <summary>The accepted names, for help text and error messages.</summary>
    public static string Accepted => string.Join(", ", Names.Select(n => n.Name));

    /// <summary>Parses a comma-separated list; null or empty means every field.</summary>
    /// <exception cref="CliException">A name is unknown (exit code 2).</exception>
    public static PageFields Parse(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return PageFields.All;
        }

        PageFields fields = PageFields.None;
        foreach (string item in list.Split(',', StringSplitOptions.TrimEntries))
        {
            if (item.Length == 0)
            {
                throw CliException.Usage($"--fields has an empty name in \"{list}\"; use a comma-separated list of {Accepted}.");
            }

            // "raw-html" and "rawhtml" are how people type rawHtml on a command line.
            string normalized = item.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
            (string Name, PageFields Field) match = Names.FirstOrDefault(n => n.Name.Equals(normalized, StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
            {
                throw CliException.Usage($"--fields names an unknown page field \"{item}\"; the fields are {Accepted}.");
            }

            fields |= match.Field;
        }

        return fields;
    }
}
