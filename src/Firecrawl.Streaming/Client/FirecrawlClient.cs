using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>
/// Reads batch-scrape jobs from the Firecrawl API as streams of pages.
/// </summary>
/// <example>
/// <code>
/// using var client = new FirecrawlClient();
/// await foreach (ScrapedPage page in client.StreamBatchAsync(jobId))
/// {
///     Console.WriteLine($"{page.Url}: {page.Markdown?.Length} chars");
/// }
/// </code>
/// </example>
public sealed partial class FirecrawlClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly string _apiKey;

    /// <summary>Creates a client with the default options (the key comes from <c>FIRECRAWL_API_KEY</c>).</summary>
    /// <exception cref="ArgumentException">There is no API key.</exception>
    public FirecrawlClient()
        : this(CreateHttpClient(), null, ownsHttpClient: true)
    {
    }

    /// <summary>Creates a client with its own <see cref="HttpClient"/>.</summary>
    /// <param name="options">The options; null for the defaults (the key then comes from <c>FIRECRAWL_API_KEY</c>).</param>
    /// <exception cref="ArgumentException">An option is invalid, or there is no API key.</exception>
    public FirecrawlClient(FirecrawlClientOptions? options)
        : this(CreateHttpClient(), options, ownsHttpClient: true)
    {
    }

    /// <summary>Creates a client that sends its requests through <paramref name="httpClient"/> (which it does not dispose).</summary>
    /// <param name="httpClient">The HTTP client; its <see cref="HttpClient.BaseAddress"/> and default headers are not used for the key.</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid, or there is no API key.</exception>
    public FirecrawlClient(HttpClient httpClient, FirecrawlClientOptions? options = null)
        : this(httpClient, options, ownsHttpClient: false)
    {
    }

    private FirecrawlClient(HttpClient httpClient, FirecrawlClientOptions? options, bool ownsHttpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        Options = (options ?? new FirecrawlClientOptions()).Clone();
        Options.Validate();
        _apiKey = Options.ResolveApiKey() ?? throw new ArgumentException(
            $"No Firecrawl API key: set FirecrawlClientOptions.ApiKey or the {FirecrawlClientOptions.ApiKeyEnvironmentVariable} environment variable.",
            nameof(options));
        _http = httpClient;
        _ownsHttpClient = ownsHttpClient;
        Origin = new Uri(Options.BaseAddress.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <summary>Gets a copy of the options the client was created with.</summary>
    internal FirecrawlClientOptions Options { get; }

    /// <summary>Gets the only origin requests are sent to.</summary>
    internal Uri Origin { get; }

    /// <summary>
    /// Streams every page of a batch-scrape job in order: the first response, every chunk its <c>next</c>
    /// links lead to, and, while the job is still scraping, new pages as they are finished.
    /// </summary>
    /// <param name="jobId">The batch job id.</param>
    /// <param name="options">Field selection, resume token and buffer pooling; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>
    /// The stream. Enumerating it sends the requests; its <see cref="BatchJobPages.Status"/> shows the job's
    /// latest counts as each chunk arrives.
    /// </returns>
    public BatchJobPages StreamBatchAsync(string jobId, BatchStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return new BatchJobPages(this, jobId, options ?? new BatchStreamOptions(), cancellationToken);
    }

    /// <summary>Gets the URLs of a batch job that failed to scrape (<c>GET /v2/batch/scrape/{id}/errors</c>).</summary>
    /// <param name="jobId">The batch job id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The failed scrapes and the URLs blocked by robots.txt.</returns>
    /// <exception cref="FirecrawlException">The request failed.</exception>
    public async Task<BatchScrapeErrors> GetBatchErrorsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        Uri uri = new(BuildChunkUri(jobId, 0).GetLeftPart(UriPartial.Path) + "/errors");
        var retry = new RetryState(Options);
        while (true)
        {
            ReadOnlyMemory<byte> body;
            try
            {
                using HttpResponseMessage response = await SendAsync(uri, cancellationToken).ConfigureAwait(false);
                body = await BodyReader.ReadAllAsync(response, Options.BodyIdleTimeout, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (RetryState.CanRetry(e, cancellationToken))
            {
                TimeSpan delay = retry.NextDelay(e, uri) ?? throw e.Rethrow();
                await Task.Delay(delay, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }

            return ParseErrors(body.Span, jobId, uri);
        }
    }

    private BatchScrapeErrors ParseErrors(ReadOnlySpan<byte> body, string jobId, Uri uri)
    {
        ReadOnlySpan<byte> trimmed = body.TrimStart(" \t\r\n"u8);
        if (!trimmed.IsEmpty && trimmed[0] == (byte)'<')
        {
            throw new FirecrawlException(
                $"The errors response of job {jobId} is not JSON (it starts with \"{ErrorBody.Extract(trimmed[..Math.Min(trimmed.Length, 60)])}\"); a proxy or gateway may have answered instead of the API.",
                FirecrawlErrorCode.NotJson) { RequestUri = uri, Status = 200, ByteOffset = body.Length - trimmed.Length };
        }

        BatchScrapeErrorsBody? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, FirecrawlJsonContext.Default.BatchScrapeErrorsBody);
        }
        catch (JsonException e)
        {
            throw new FirecrawlException($"The errors response of job {jobId} is not valid JSON: {e.Message}", FirecrawlErrorCode.MalformedResponse, e)
            {
                RequestUri = uri,
                Status = 200,
                ByteOffset = e.LineNumber == 0 ? e.BytePositionInLine : null,
            };
        }

        if (parsed?.Success == false)
        {
            string? error = Redact(parsed.Error);
            throw new FirecrawlException(
                $"Firecrawl reported a failure for the errors of job {jobId}: {error ?? "no reason given"}.",
                FirecrawlErrorCode.RequestFailed) { Status = 200, ServerError = error, RequestUri = uri };
        }

        return new BatchScrapeErrors(parsed?.Errors ?? [], parsed?.RobotsBlocked ?? []);
    }

    /// <summary>Disposes the <see cref="HttpClient"/> if the client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    /// <summary>
    /// The URL of one chunk, always on the configured origin: a <c>next</c> link contributes only its cursor.
    /// </summary>
    internal Uri BuildChunkUri(string jobId, long skip)
    {
        string path = Options.BaseAddress.AbsolutePath.TrimEnd('/');
        string query = skip > 0 ? $"?skip={skip.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
        if (Options.ChunkLimit is int limit)
        {
            query += (query.Length == 0 ? "?" : "&") + "limit=" + limit.ToString(CultureInfo.InvariantCulture);
        }

        return new Uri(Origin, $"{path}/v2/batch/scrape/{Uri.EscapeDataString(jobId)}{query}".TrimStart('/'));
    }

    /// <summary>Sends a GET to the configured origin with the key; throws <see cref="FirecrawlException"/> for an error status.</summary>
    internal async Task<HttpResponseMessage> SendAsync(Uri uri, CancellationToken cancellationToken)
    {
        // Defence in depth: whatever built the URI, the key goes to the configured origin only.
        if (Uri.Compare(uri, Origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new FirecrawlException($"Refusing to send the API key to {uri.GetLeftPart(UriPartial.Authority)}: requests go only to {Origin}.", FirecrawlErrorCode.InvalidCursor) { RequestUri = uri };
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await CreateHttpErrorAsync(response, uri, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<FirecrawlException> CreateHttpErrorAsync(HttpResponseMessage response, Uri uri, CancellationToken cancellationToken)
    {
        string? serverError = await ErrorBody.ReadAsync(response, Options.BodyIdleTimeout, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        serverError = Redact(serverError);
        int status = (int)response.StatusCode;
        string reason = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "the API key was rejected",
            HttpStatusCode.PaymentRequired => "payment is required",
            HttpStatusCode.Forbidden => "access is forbidden",
            HttpStatusCode.NotFound => "the job was not found or has expired",
            HttpStatusCode.TooManyRequests => "the rate limit was exceeded",
            _ => response.ReasonPhrase ?? "the request failed",
        };
        return new FirecrawlException($"Firecrawl answered {status} ({reason}) for {uri}{(serverError is null ? "." : $": {serverError}")}", FirecrawlErrorCode.HttpError)
        {
            Status = status,
            ServerError = serverError,
            RequestUri = uri,
            RetryAfter = RetryState.ParseRetryAfter(response.Headers.RetryAfter, serverError, Options.TimeProvider),
        };
    }

    /// <summary>Removes the key from text the server sent back, in case it echoes the request.</summary>
    internal string? Redact(string? text) => text?.Replace(_apiKey, "***", StringComparison.Ordinal);

    private static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = TimeSpan.FromSeconds(100),
    };
}
