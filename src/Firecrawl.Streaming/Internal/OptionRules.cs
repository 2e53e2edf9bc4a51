namespace Firecrawl.Streaming;

/// <summary>The one place option checks build their exception, so that every options class words it alike.</summary>
internal static class OptionRules
{
    public static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            Throw(name, rule);
        }
    }

    private static void Throw(string name, string rule) => throw new ArgumentException($"{name} {rule}.", name);
}
