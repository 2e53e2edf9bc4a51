using Microsoft.Extensions.Options;

namespace Firecrawl.Streaming.Extensions.DependencyInjection;

/// <summary>Validates the options as the client would (<see cref="FirecrawlJobClientOptions.Validate"/>, and a key), so a host fails at start.</summary>
internal sealed class FirecrawlJobClientOptionsValidator : IValidateOptions<FirecrawlJobClientOptions>
{
    public ValidateOptionsResult Validate(string? name, FirecrawlJobClientOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"Firecrawl.Streaming: {e.Message}");
        }

        return options.ResolveApiKey() is null
            ? ValidateOptionsResult.Fail($"Firecrawl.Streaming: no API key; set ApiKey in the options or the {FirecrawlJobClientOptions.ApiKeyEnvironmentVariable} environment variable.")
            : ValidateOptionsResult.Success;
    }
}
