using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>
/// Cancels a job with <c>DELETE</c> on its URL. Cancelling twice has the same effect as once, so transient
/// failures are retried like a GET's.
/// </summary>
internal static class JobCanceller
{
    public static async Task<JobStatus> CancelAsync(ApiConnection api, JobEndpoint endpoint, string jobId, CancellationToken cancellationToken)
    {
        Uri uri = endpoint.JobUri(api, jobId);
        FirecrawlJobClientOptions options = api.Options;
        var retry = new RetryState(options);
        bool mayHaveCancelled = false;
        while (true)
        {
            try
            {
                using HttpResponseMessage response = await api.SendAsync(HttpMethod.Delete, uri, jobId, content: null, idempotencyKey: null, cancellationToken).ConfigureAwait(false);
                ReadOnlyMemory<byte> body = await BodyReader.ReadAllAsync(response, options.BodyIdleTimeout, options.TimeProvider, cancellationToken).ConfigureAwait(false);
                return ParseAnswer(api, body.Span, endpoint, jobId, uri);
            }
            catch (FirecrawlApiException e) when (e is { ErrorCode: JobStreamErrorCode.HttpError, Status: 409 })
            {
                // A retry finding the job cancelled may be looking at what the lost attempt did.
                if (mayHaveCancelled && e.ServerError?.Contains("cancel", StringComparison.OrdinalIgnoreCase) == true)
                {
                    return Cancelled("cancelled");
                }

                throw new FirecrawlApiException(
                    $"The {endpoint.Noun} {jobId} could not be cancelled: it had already finished (Firecrawl answered 409{(e.ServerError is null ? "" : ": " + e.ServerError)}).",
                    JobStreamErrorCode.HttpError,
                    e) { Status = 409, ServerError = e.ServerError, RequestUri = uri, JobId = jobId };
            }
            catch (Exception e) when (RetryState.CanRetry(e, cancellationToken))
            {
                mayHaveCancelled |= !RequestFate.NeverArrived(e);
                if (retry.NextDelay(e, uri, jobId) is not TimeSpan delay)
                {
                    throw;
                }

                await Task.Delay(delay, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static JobStatus ParseAnswer(ApiConnection api, ReadOnlySpan<byte> body, JobEndpoint endpoint, string jobId, Uri uri)
    {
        api.EnsureJson(body, $"answer to the cancel of {endpoint.Noun} {jobId}", uri);
        CancelAnswer? answer;
        try
        {
            answer = JsonSerializer.Deserialize(body, JobsJsonContext.Default.CancelAnswer);
        }
        catch (JsonException e)
        {
            throw new FirecrawlApiException($"The answer to the cancel of {endpoint.Noun} {jobId} is not valid JSON: {e.Message}", JobStreamErrorCode.MalformedResponse, e)
            {
                RequestUri = uri,
                Status = 200,
                JobId = jobId,
            };
        }

        if (answer?.Success == false)
        {
            string? error = api.Redact(answer.Error);
            throw new FirecrawlApiException(
                $"Firecrawl reported a failure cancelling {endpoint.Noun} {jobId}: {error ?? "no reason given"}.",
                JobStreamErrorCode.RequestFailed) { Status = 200, ServerError = error, RequestUri = uri, JobId = jobId };
        }

        return Cancelled(answer?.Status ?? "cancelled");
    }

    /// <summary>The answer carries no counts; they are 0 rather than a second request's worth of guessing.</summary>
    private static JobStatus Cancelled(string status) => new(status, Total: 0, Completed: 0, CreditsUsed: 0, ExpiresAt: null);
}
