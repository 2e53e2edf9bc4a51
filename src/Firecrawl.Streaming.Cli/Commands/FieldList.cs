namespace Firecrawl.Streaming.Cli;

/// <summary>Parses <c>--fields markdown,metadata,...</c> into a <see cref="PageFields"/> selection.</summary>
internal static class FieldList
{
    private static readonly Dictionary<string, PageFields> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["markdown"] = PageFields.Markdown,
        ["html"] = PageFields.Html,
        ["rawHtml"] = PageFields.RawHtml,
        ["links"] = PageFields.Links,
        ["screenshot"] = PageFields.Screenshot,
        ["summary"] = PageFields.Summary,
        ["metadata"] = PageFields.Metadata,
        ["other"] = PageFields.Other,
        ["all"] = PageFields.All,
    };

    public static PageFields Parse(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return PageFields.All;
        }

        PageFields fields = PageFields.None;
        foreach (string name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            fields |= Names.TryGetValue(name, out PageFields field)
                ? field
                : throw new CliException($"Unknown field \"{name}\" in --fields: use {string.Join(", ", Names.Keys)}.");
        }

        return fields;
    }
}
