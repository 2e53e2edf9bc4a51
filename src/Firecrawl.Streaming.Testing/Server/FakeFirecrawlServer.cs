using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Firecrawl.Streaming.Testing;

/// <summary>
/// A fake Firecrawl API on Kestrel, bound to 127.0.0.1 on a free port: it serves batch scrapes and crawls
/// built from lists of pages in chunks the way the real server does (<c>limit</c>, a 10 MiB cap, absolute
/// <c>next</c> links built from the Host header, a growing <c>scraping</c> phase), streams each body as it
/// writes it, starts jobs (<c>POST</c>), cancels them (<c>DELETE</c>), reports their errors, and misbehaves on
/// cue (<see cref="FakeFault"/>, <see cref="FakeStartFault"/>).
/// </summary>
/// <example>
/// <code>
/// await using var server = await FakeFirecrawlServer.StartAsync();
/// FakeJob job = server.AddJob(FakePageGenerator.Generate(500));
/// using var client = new FirecrawlJobClient(new FirecrawlJobClientOptions { BaseAddress = server.BaseAddress, ApiKey = server.ApiKey });
/// await foreach (ScrapedPage page in client.StreamBatchScrapeAsync(job.Id)) { ... }
/// </code>
/// </example>
public sealed partial class FakeFirecrawlServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeServerOptions _options;
    private readonly ConcurrentDictionary<string, FakeJob> _jobs = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<FakeJob> _jobOrder = new();
    private readonly ConcurrentQueue<FakeJob> _started = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Lock _creditGate = new();
    private string _apiKey;
    private int _revocations;
    private long? _credits;

    private FakeFirecrawlServer(WebApplication app, FakeServerOptions options)
    {
        _app = app;
        _options = options;
        _apiKey = options.ApiKey;
        _credits = options.Credits;
    }

    /// <summary>Gets the server's address, e.g. <c>http://127.0.0.1:49152/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets the only bearer token the server accepts; any other gets 401. <see cref="RevokeApiKey"/> replaces it.</summary>
    public string ApiKey => Volatile.Read(ref _apiKey);

    /// <summary>Gets every request received so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Gets every job, added or started, in the order they were created.</summary>
    public IReadOnlyList<FakeJob> Jobs => [.. _jobOrder];

    /// <summary>Gets the jobs started through <c>POST /v2/batch/scrape</c> and <c>POST /v2/crawl</c>, in order.</summary>
    public IReadOnlyList<FakeJob> StartedJobs => [.. _started];

    /// <summary>Gets the faults scripted for start requests.</summary>
    public FakeStartFaultScript StartFaults { get; } = new();

    /// <summary>Gets the credits left (see <see cref="FakeServerOptions.Credits"/>); null when unlimited.</summary>
    public long? RemainingCredits
    {
        get
        {
            lock (_creditGate)
            {
                return _credits;
            }
        }
    }

    /// <summary>Starts a server.</summary>
    /// <param name="options">The options; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public static async Task<FakeFirecrawlServer> StartAsync(FakeServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeServerOptions();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            // The start routes enforce FakeServerOptions.MaxRequestBodyBytes themselves, with the real server's answer.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        WebApplication app = builder.Build();
        var server = new FakeFirecrawlServer(app, options);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Adds a job whose pages are the given JSON objects.</summary>
    /// <param name="pages">Each page's JSON object as UTF-8.</param>
    /// <param name="options">Paging options; null for the defaults.</param>
    /// <returns>The job.</returns>
    public FakeJob AddJob(IEnumerable<byte[]> pages, FakeJobOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pages);
        byte[][] list = [.. pages];
        return AddJob(list.Length, i => list[i], options);
    }

    /// <summary>Adds a job whose pages are produced on demand, for jobs too large to hold in memory.</summary>
    /// <param name="pageCount">The number of pages.</param>
    /// <param name="page">Produces page <c>i</c>'s JSON; called for every request that serves it, so keep it deterministic.</param>
    /// <param name="options">Paging options; null for the defaults.</param>
    /// <returns>The job.</returns>
    public FakeJob AddJob(int pageCount, Func<int, byte[]> page, FakeJobOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pageCount);
        ArgumentNullException.ThrowIfNull(page);
        return Register(new FakeJob(Guid.NewGuid().ToString(), pageCount, page, options ?? new FakeJobOptions()));
    }

    /// <summary>
    /// Revokes the API key: every later request with it gets 401 "Unauthorized: Invalid token". A new key
    /// replaces it (<see cref="ApiKey"/>), for tests that go on after the revocation.
    /// </summary>
    /// <returns>The new key.</returns>
    public string RevokeApiKey()
    {
        int generation = Interlocked.Increment(ref _revocations);
        string key = $"{_options.ApiKey}-{generation.ToString(CultureInfo.InvariantCulture)}";
        Volatile.Write(ref _apiKey, key);
        return key;
    }

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when it has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Connections still open (a client that stopped reading) are dropped.
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _webhookClient.Dispose();
    }

    private FakeJob Register(FakeJob job)
    {
        _jobs[job.Id] = job;
        _jobOrder.Enqueue(job);
        return job;
    }

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context, Authorization(context.Request)).ConfigureAwait(false);
        }
        finally
        {
            Record(context, context.Response.StatusCode);
        }
    }

    private static string? Authorization(HttpRequest request) =>
        request.Headers.Authorization.Count > 0 ? request.Headers.Authorization.ToString() : null;

    /// <summary>Records the request once (an aborted start is recorded before its connection closes, so a test sees it as soon as the client fails).</summary>
    private void Record(HttpContext context, int statusCode)
    {
        if (!context.Items.TryAdd(RecordedItem, true))
        {
            return;
        }

        HttpRequest request = context.Request;
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.Host.Value ?? "", Authorization(request), statusCode)
        {
            Body = context.Items.TryGetValue(BodyItem, out object? body) ? body as string : null,
            IdempotencyKey = request.Headers.TryGetValue(IdempotencyHeader, out var key) ? key.ToString() : null,
            UserAgent = request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
        });
    }

    /// <summary>Closes the connection without an answer, recorded with status 0.</summary>
    private void AbortUnanswered(HttpContext context)
    {
        Record(context, 0);
        context.Abort();
    }
}
