using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>The failed scrapes of a job.</summary>
public sealed partial class FirecrawlJobClient
{
    /// <summary>Gets the URLs of a job that failed to scrape (<c>GET /v2/{batch/scrape|crawl}/{id}/errors</c>).</summary>
    /// <param name="kind">Whether the id is a batch scrape's or a crawl's.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The failed scrapes and the URLs blocked by robots.txt.</returns>
    /// <exception cref="FirecrawlApiException">The request failed.</exception>
    public async Task<JobErrors> GetErrorsAsync(JobKind kind, string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        JobEndpoint endpoint = JobEndpoint.For(kind);
        Uri uri = endpoint.ErrorsUri(_api, jobId);
        ReadOnlyMemory<byte> body = await _api.GetSmallBodyAsync(uri, jobId, cancellationToken).ConfigureAwait(false);
        return ParseErrors(body.Span, endpoint, jobId, uri);
    }

    private JobErrors ParseErrors(ReadOnlySpan<byte> body, JobEndpoint endpoint, string jobId, Uri uri)
    {
        string what = $"errors response of {endpoint.Noun} {jobId}";
        _api.EnsureJson(body, what, uri);
        JobErrorsBody? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, ApiJsonContext.Default.JobErrorsBody);
        }
        catch (JsonException e)
        {
            throw new FirecrawlApiException($"The errors response of {endpoint.Noun} {jobId} is not valid JSON: {e.Message}", JobStreamErrorCode.MalformedResponse, e)
            {
                RequestUri = uri,
                Status = 200,
                JobId = jobId,
                ByteOffset = e.LineNumber == 0 ? e.BytePositionInLine : null,
            };
        }

        if (parsed?.Success == false)
        {
            string? error = _api.Redact(parsed.Error);
            throw new FirecrawlApiException(
                $"Firecrawl reported a failure for the errors of {endpoint.Noun} {jobId}: {error ?? "no reason given"}.",
                JobStreamErrorCode.RequestFailed) { Status = 200, ServerError = error, RequestUri = uri, JobId = jobId };
        }

        return new JobErrors(parsed?.Errors ?? [], parsed?.RobotsBlocked ?? []);
    }
}
