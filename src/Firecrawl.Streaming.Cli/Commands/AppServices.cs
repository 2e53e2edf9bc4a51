using Firecrawl.Streaming.Cli.Errors;
using Firecrawl.Streaming.Cli.IO;

namespace Firecrawl.Streaming.Cli.Commands;

/// <summary>What every command's action needs: the console it writes to and the redactor every message passes through.</summary>
internal sealed record AppServices(CliConsole Console, Redactor Redactor);
