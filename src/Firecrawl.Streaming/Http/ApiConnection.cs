using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firecrawl.Streaming;

/// <summary>
/// The one way a request leaves the library: to the configured origin only, with the key, never following a
/// redirect elsewhere, with a bound on the wait for response headers, and turning an error status into a
/// <see cref="FirecrawlApiException"/>.
/// </summary>
internal sealed class ApiConnection : IDisposable
{
    private const int MaxRedirects = 5;

    // Without an injected client, every client of the process shares one handler: one connection pool, whose
    // connections are recycled (PooledConnectionLifetime) so DNS changes are seen, and no socket exhaustion from
    // short-lived clients.
    private static readonly Lazy<SocketsHttpHandler> s_sharedHandler = new(FirecrawlJobClientOptions.CreateHttpHandler);

    private static readonly ProductInfoHeaderValue s_userAgent = new("Firecrawl.Streaming", FirecrawlStreamingDiagnostics.Version);

    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly string _apiKey;
    private readonly string _basePath;
    private readonly KeyRedactor _redactor;

    public ApiConnection(HttpClient? httpClient, FirecrawlJobClientOptions options)
    {
        Options = options;
        _apiKey = options.ResolveApiKey() ?? throw new ArgumentException(
            $"No Firecrawl API key: set FirecrawlJobClientOptions.ApiKey or the {FirecrawlJobClientOptions.ApiKeyEnvironmentVariable} environment variable.",
            nameof(options));
        _redactor = new KeyRedactor(_apiKey);
        options.HttpLogger = options.LoggerFactory?.CreateLogger(FirecrawlStreamingDiagnostics.LoggerCategory + ".Http") ?? NullLogger.Instance;
        options.Metrics = ClientMetrics.For(options.MeterFactory);
        PagingLogger = options.LoggerFactory?.CreateLogger(FirecrawlStreamingDiagnostics.LoggerCategory + ".Paging") ?? NullLogger.Instance;
        _http = httpClient ?? CreateHttpClient();
        _ownsHttpClient = httpClient is null;

        // Scheme, host and port only: user info in the base address must never reach a URL we print.
        Origin = new Uri(options.BaseAddress.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) + "/");
        _basePath = options.BaseAddress.AbsolutePath.Trim('/');
    }

    public FirecrawlJobClientOptions Options { get; }

    /// <summary>Gets the logger of job streams (polling, stalls, gap repair, resumes).</summary>
    public ILogger PagingLogger { get; }

    /// <summary>Gets the only origin requests are sent to.</summary>
    public Uri Origin { get; }

    /// <summary>A URL on the configured origin, under the base address's path.</summary>
    public Uri Build(string relative) => new(Origin, _basePath.Length == 0 ? relative : _basePath + "/" + relative);

    /// <summary>Sends a GET; throws <see cref="FirecrawlApiException"/> for an error status.</summary>
    public Task<HttpResponseMessage> GetAsync(Uri uri, string? jobId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, uri, jobId, content: null, idempotencyKey: null, cancellationToken);

    /// <summary>
    /// Sends a request to the configured origin with the key. Same-origin redirects of a GET that keep its path
    /// and cursor are followed; any other redirect fails, naming its target host, before the key could follow it.
    /// </summary>
    /// <param name="method">The method.</param>
    /// <param name="uri">The URL, on the configured origin.</param>
    /// <param name="jobId">The job the request concerns, named in any error.</param>
    /// <param name="content">The body, or null.</param>
    /// <param name="idempotencyKey">The <c>x-idempotency-key</c> header, or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, string? jobId, HttpContent? content, string? idempotencyKey, CancellationToken cancellationToken)
    {
        for (int redirects = 0; ; redirects++)
        {
            EnsureOrigin(uri, uri, jobId);
            using var request = new HttpRequestMessage(method, uri) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.UserAgent.Add(s_userAgent);
            if (idempotencyKey is not null)
            {
                request.Headers.Add("x-idempotency-key", idempotencyKey);
            }

            HttpResponseMessage response = await SendBoundedAsync(request, cancellationToken).ConfigureAwait(false);

            // An injected HttpClient may follow redirects itself: whatever answered must still be our origin.
            if (response.RequestMessage?.RequestUri is Uri answered)
            {
                EnsureOrigin(answered, uri, jobId, response);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is Uri location)
            {
                response.Dispose();
                Uri target = new(uri, location);
                EnsureOrigin(target, uri, jobId);
                if (method != HttpMethod.Get || redirects >= MaxRedirects || !SameResource(uri, target))
                {
                    Log.RedirectRefused(Options.HttpLogger, method.Method, Quote(uri), Quote(target));
                    throw new FirecrawlApiException(
                        $"Firecrawl redirected {method} {uri} to {Quote(target)}; only a GET redirected to the same resource on the same origin is followed.",
                        JobStreamErrorCode.InvalidCursor) { RequestUri = uri, Status = (int)response.StatusCode, JobId = jobId };
                }

                uri = target;
                continue;
            }

            using (response)
            {
                throw await CreateHttpErrorAsync(response, uri, jobId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// GETs a small body (an errors list, say) to its end, retrying transient failures: a GET is idempotent, so a 200
    /// with an empty body or a body cut short of its length (proxies do both) is retried like a 5xx.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>> GetSmallBodyAsync(Uri uri, string? jobId, CancellationToken cancellationToken)
    {
        var retry = new RetryState(Options);
        while (true)
        {
            try
            {
                using HttpResponseMessage response = await GetAsync(uri, jobId, cancellationToken).ConfigureAwait(false);
                ReadOnlyMemory<byte> body = await BodyReader.ReadAllAsync(response, Options.BodyIdleTimeout, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                return body.Span.Trim(" \t\r\n"u8).IsEmpty ? throw new IOException("The response body was empty.") : body;
            }
            catch (Exception e) when (RetryState.CanRetry(e, cancellationToken))
            {
                TimeSpan delay = retry.NextDelay(e, uri, jobId) ?? throw e.Rethrow();
                await Task.Delay(delay, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Refuses a body that is not JSON at all (an HTML page from a proxy), quoting its start without the key.</summary>
    public void EnsureJson(ReadOnlySpan<byte> body, string what, Uri uri)
    {
        ReadOnlySpan<byte> trimmed = body.TrimStart(" \t\r\n"u8);
        if (!trimmed.IsEmpty && trimmed[0] == (byte)'<')
        {
            throw new FirecrawlApiException(
                $"The {what} is not JSON (it starts with \"{ErrorBody.Extract(trimmed, _redactor, previewChars: 60)}\"); a proxy or gateway may have answered instead of the API.",
                JobStreamErrorCode.NotJson) { RequestUri = uri, Status = 200, ByteOffset = body.Length - trimmed.Length };
        }
    }

    /// <summary>Removes the key from text the server sent back, in case it echoes the request.</summary>
    public string? Redact(string? text) => _redactor.Redact(text);

    /// <summary>The start of a body, as quoted in an error, without the key (a proxy may echo the request's headers).</summary>
    public string Preview(ReadOnlySpan<byte> utf8, int maxChars) => _redactor.Preview(utf8, maxChars);

    /// <summary>A URL as it may appear in a message: without its query (an untrusted link may carry anything there) and capped.</summary>
    public static string Quote(Uri link)
    {
        string text = link.IsAbsoluteUri
            ? link.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : link.OriginalString.Split('?')[0];
        return text.Length <= 200 ? text : text[..200] + "...";
    }

    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendBoundedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // HttpClient.Timeout may be infinite on an injected client: the wait for headers is bounded regardless.
        using var headers = new CancellationTokenSource(Options.ResponseTimeout, Options.TimeProvider);
        using CancellationTokenRegistration link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), headers);
        string method = request.Method.Method;
        string url = Quote(request.RequestUri!);
        Log.RequestSent(Options.HttpLogger, method, url);
        long started = Stopwatch.GetTimestamp();
        try
        {
            HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token).ConfigureAwait(false);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            Options.Metrics?.RecordRequest(method, elapsed, (int)response.StatusCode, errorType: null);
            Log.ResponseReceived(Options.HttpLogger, method, url, (int)response.StatusCode, elapsed.TotalMilliseconds);
            return response;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && headers.IsCancellationRequested)
        {
            Options.Metrics?.RecordRequest(method, Stopwatch.GetElapsedTime(started), status: null, "timeout");
            Log.RequestFailed(Options.HttpLogger, method, url, "no response headers in time");
            throw new TimeoutException($"No response headers from {url} within {Options.ResponseTimeout.TotalSeconds:0.###} s.", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            Options.Metrics?.RecordRequest(method, Stopwatch.GetElapsedTime(started), status: null, e.GetType().Name);
            Log.RequestFailed(Options.HttpLogger, method, url, e.Message);
            throw;
        }
    }

    private void EnsureOrigin(Uri target, Uri requested, string? jobId, HttpResponseMessage? response = null)
    {
        if (Uri.Compare(target, Origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
        {
            return;
        }

        Log.RedirectRefused(Options.HttpLogger, "GET", Quote(requested), target.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped));
        response?.Dispose();
        throw new FirecrawlApiException(
            $"Refusing to follow {Quote(requested)} to {target.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)}: requests and the API key go only to {Origin}.",
            JobStreamErrorCode.InvalidCursor) { RequestUri = requested, JobId = jobId };
    }

    /// <summary>The same path (but for a trailing slash) and the same cursor: a redirect that cannot change which pages a chunk holds.</summary>
    private static bool SameResource(Uri from, Uri to) =>
        string.Equals(from.AbsolutePath.TrimEnd('/'), to.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal)
        && string.Equals(from.Query, to.Query, StringComparison.Ordinal);

    private async Task<FirecrawlApiException> CreateHttpErrorAsync(HttpResponseMessage response, Uri uri, string? jobId, CancellationToken cancellationToken)
    {
        string? serverError = await ErrorBody.ReadAsync(response, _redactor, Options.BodyIdleTimeout, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        string reason = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "the API key was rejected",
            HttpStatusCode.PaymentRequired => "payment is required",
            HttpStatusCode.Forbidden => "access is forbidden",
            HttpStatusCode.NotFound => "the job was not found or has expired",
            HttpStatusCode.Conflict => "the request conflicts with the job's state",
            HttpStatusCode.RequestEntityTooLarge => "the request body is too large",
            HttpStatusCode.TooManyRequests => "the rate limit was exceeded",
            _ => response.ReasonPhrase ?? "the request failed",
        };
        return new FirecrawlApiException($"Firecrawl answered {status} ({reason}) for {uri}{(serverError is null ? "." : $": {serverError}")}", JobStreamErrorCode.HttpError)
        {
            Status = status,
            ServerError = serverError,
            RequestUri = uri,
            RetryAfter = RetryState.ParseRetryAfter(response.Headers.RetryAfter, serverError, Options.TimeProvider),
            JobId = jobId,
        };
    }

    private static HttpClient CreateHttpClient() => new(s_sharedHandler.Value, disposeHandler: false)
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
