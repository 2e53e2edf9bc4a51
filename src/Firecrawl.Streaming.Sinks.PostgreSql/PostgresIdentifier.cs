using System.Text.RegularExpressions;

namespace Firecrawl.Streaming.Sinks.PostgreSql;

/// <summary>Checks and quotes the table names and text-search configuration names that go into SQL text.</summary>
internal static partial class PostgresIdentifier
{
    /// <summary>Whether <paramref name="name"/> is <c>table</c> or <c>schema.table</c> of plain identifiers (letters, digits, underscores).</summary>
    public static bool IsValid(string? name) => name is not null && QualifiedName().IsMatch(name);

    /// <summary>Quotes each part of a checked name: <c>a.b</c> becomes <c>"a"."b"</c>.</summary>
    public static string Quote(string name) => string.Join('.', name.Split('.').Select(part => $"\"{part}\""));

    /// <summary>The unqualified part, for naming the table's index.</summary>
    public static string Unqualified(string name) => name[(name.LastIndexOf('.') + 1)..];

    [GeneratedRegex("^([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedName();
}
