using System.CommandLine;
using Firecrawl.Streaming.Cli.Errors;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>The options of <c>fcstream crawl URL</c> that shape the crawl it starts.</summary>
internal sealed class CrawlStartOptions
{
    private readonly Option<int?> _limit = new Option<int?>("--limit") { Description = "The most pages to crawl.", HelpName = "N" }.AtLeast(1);
    private readonly Option<string[]> _include = new("--include-paths") { Description = "Only URLs whose path matches one of these regular expressions (repeatable).", HelpName = "REGEX", AllowMultipleArgumentsPerToken = true };
    private readonly Option<string[]> _exclude = new("--exclude-paths") { Description = "Skip URLs whose path matches one of these regular expressions (repeatable).", HelpName = "REGEX", AllowMultipleArgumentsPerToken = true };
    private readonly Option<int?> _maxDepth = new Option<int?>("--max-depth") { Description = "How many links deep to follow from the start URL.", HelpName = "N" }.AtLeast(0);
    private readonly Option<string> _formats = ScrapeCommand.FormatOption();
    private readonly WebhookStartOptions _webhook = new();

    public void AddTo(Command command)
    {
        command.Options.Add(_limit);
        command.Options.Add(_include);
        command.Options.Add(_exclude);
        command.Options.Add(_maxDepth);
        command.Options.Add(_formats);
        _webhook.AddTo(command);
    }

    public CrawlRequest Request(ParseResult parse, Uri url) => new()
    {
        Url = url.AbsoluteUri,
        Limit = parse.GetValue(_limit),
        IncludePaths = NullIfEmpty(parse.GetValue(_include)),
        ExcludePaths = NullIfEmpty(parse.GetValue(_exclude)),
        MaxDiscoveryDepth = parse.GetValue(_maxDepth),
        ScrapeOptions = ScrapeCommand.ScrapeOptionsFrom(parse.GetValue(_formats)),
        Webhook = _webhook.Webhook(parse),
    };

    /// <summary>Start options given with a job id instead of a URL would be silently ignored: refuse them.</summary>
    public void EnsureUnused(ParseResult parse)
    {
        foreach (Option option in (Option[])[_limit, _include, _exclude, _maxDepth, _formats, .. _webhook.All])
        {
            if (parse.GetResult(option) is { Implicit: false })
            {
                throw CliException.Usage($"{option.Name} starts a crawl, so it needs a URL, not a crawl id.");
            }
        }
    }

    private static string[]? NullIfEmpty(string[]? values) => values is { Length: > 0 } ? values : null;
}
