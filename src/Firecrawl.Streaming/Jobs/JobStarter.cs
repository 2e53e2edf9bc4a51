using System.Net.Http.Headers;
using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>
/// Starts a job: one <c>POST</c> with a new idempotency key, sent again only when it certainly never reached the
/// server (the connection could not be made, or a 429 turned it away). Once the request may have arrived, a
/// failure is reported as <see cref="JobStreamErrorCode.StartOutcomeUnknown"/> and never replayed: the v2 batch
/// start does not check idempotency keys, so a replay could start the job twice and spend its credits twice.
/// </summary>
internal static class JobStarter
{
    public static async Task<StartedJob> StartAsync(ApiConnection api, JobEndpoint endpoint, byte[] body, CancellationToken cancellationToken)
    {
        string key = Guid.NewGuid().ToString();
        Uri uri = endpoint.StartUri(api);
        FirecrawlJobClientOptions options = api.Options;
        var retry = new RetryState(options);
        bool retried = false;
        while (true)
        {
            HttpResponseMessage response;
            try
            {
                response = await api.SendAsync(HttpMethod.Post, uri, jobId: null, JsonBody(body), key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && RequestFate.NeverArrived(e))
            {
                // The same key on every attempt: should an attempt have arrived after all, a crawl start answers 409
                // instead of starting twice, and that 409 is reported as an unknown outcome below.
                TimeSpan delay = retry.NextDelay(e, uri, jobId: null) ?? throw StartFailures.WithKey((FirecrawlApiException)e, key);
                await Task.Delay(delay, options.TimeProvider, cancellationToken).ConfigureAwait(false);
                retried = true;
                continue;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && StartFailures.IsFailure(e))
            {
                throw StartFailures.Classify(e, endpoint, uri, key, retried);
            }

            using (response)
            {
                ReadOnlyMemory<byte> answer;
                try
                {
                    answer = await BodyReader.ReadAllAsync(response, options.BodyIdleTimeout, options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && StartFailures.IsFailure(e))
                {
                    // The headers said 2xx: the job was most likely created, but its id was in the part that never came.
                    throw StartFailures.OutcomeUnknown(endpoint, uri, key, $"the answer broke off: {e.Message}", e, (int)response.StatusCode);
                }

                return ParseAnswer(api, answer.Span, endpoint, uri, key, (int)response.StatusCode);
            }
        }
    }

    private static ByteArrayContent JsonBody(byte[] body)
    {
        // A new content per attempt: sending a request disposes its content.
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static StartedJob ParseAnswer(ApiConnection api, ReadOnlySpan<byte> body, JobEndpoint endpoint, Uri uri, string key, int status)
    {
        StartAnswer? answer;
        try
        {
            api.EnsureJson(body, $"answer to the start of a {endpoint.Noun}", uri);
            answer = JsonSerializer.Deserialize(body, JobsJsonContext.Default.StartAnswer);
        }
        catch (Exception e) when (e is JsonException or FirecrawlApiException)
        {
            throw StartFailures.OutcomeUnknown(endpoint, uri, key, $"the answer is not the JSON the API sends: {e.Message}", e, status);
        }

        if (answer?.Success == false)
        {
            string? error = api.Redact(answer.Error);
            throw new FirecrawlApiException(
                $"Firecrawl refused to start the {endpoint.Noun}: {error ?? "no reason given"}. No job was started.",
                JobStreamErrorCode.RequestFailed) { Status = status, ServerError = error, RequestUri = uri, IdempotencyKey = key };
        }

        if (string.IsNullOrWhiteSpace(answer?.Id))
        {
            throw StartFailures.OutcomeUnknown(endpoint, uri, key, "the answer has no job id", inner: null, status);
        }

        Uri? url = Uri.TryCreate(answer.Url, UriKind.Absolute, out Uri? parsed) ? parsed : null;
        return new StartedJob(endpoint.Kind, answer.Id, url, answer.InvalidUrls ?? [], key);
    }
}
