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
/// A fake Firecrawl API on Kestrel, bound to 127.0.0.1 on a free port: it serves batch jobs built from
/// lists of pages in chunks the way the real server does (<c>limit</c>, a 10 MiB cap, absolute
/// <c>next</c> links built from the Host header, a growing <c>scraping</c> phase), streams each body as it
/// writes it, and misbehaves on cue (<see cref="FakeFault"/>).
/// </summary>
/// <example>
/// <code>
/// await using var server = await FakeFirecrawlServer.StartAsync();
/// FakeJob job = server.AddJob(FakePageGenerator.Generate(500));
/// using var client = new FirecrawlClient(server.CreateClientOptions());
/// await foreach (ScrapedPage page in client.StreamBatchAsync(job.Id)) { ... }
/// </code>
/// </example>
public sealed partial class FakeFirecrawlServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeJob> _jobs = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeFirecrawlServer(WebApplication app, FakeServerOptions options)
    {
        _app = app;
        ApiKey = options.ApiKey;
    }

    /// <summary>Gets the server's address, e.g. <c>http://127.0.0.1:49152/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets the only bearer token the server accepts; any other gets 401.</summary>
    public string ApiKey { get; }

    /// <summary>Gets every request received so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Starts a server.</summary>
    /// <param name="options">The options; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public static async Task<FakeFirecrawlServer> StartAsync(FakeServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeServerOptions();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
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
        var job = new FakeJob(Guid.NewGuid().ToString(), pageCount, page, options ?? new FakeJobOptions());
        _jobs[job.Id] = job;
        return job;
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
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        string? authorization = request.Headers.Authorization.Count > 0 ? request.Headers.Authorization.ToString() : null;
        try
        {
            await RouteAsync(context, authorization).ConfigureAwait(false);
        }
        finally
        {
            _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.Host.Value ?? "", authorization, context.Response.StatusCode));
        }
    }

    private async Task RouteAsync(HttpContext context, string? authorization)
    {
        string[] segments = (context.Request.Path.Value ?? "").Trim('/').Split('/');
        if (segments.Length is < 4 or > 5 || segments[0] != "v2" || segments[1] != "batch" || segments[2] != "scrape"
            || (segments.Length == 5 && segments[4] != "errors") || !HttpMethods.IsGet(context.Request.Method))
        {
            await WriteErrorAsync(context, 404, "Not found").ConfigureAwait(false);
            return;
        }

        if (authorization != "Bearer " + ApiKey)
        {
            await WriteErrorAsync(context, 401, "Unauthorized: Invalid token").ConfigureAwait(false);
            return;
        }

        string id = segments[3];
        if (!Guid.TryParse(id, out _))
        {
            await WriteErrorAsync(context, 400, "Invalid job ID").ConfigureAwait(false);
            return;
        }

        if (!_jobs.TryGetValue(id, out FakeJob? job))
        {
            await WriteErrorAsync(context, 404, "Job not found").ConfigureAwait(false);
            return;
        }

        if (job.Options.Latency > TimeSpan.Zero)
        {
            await Task.Delay(job.Options.Latency, context.RequestAborted).ConfigureAwait(false);
        }

        if (segments.Length == 5)
        {
            await WriteErrorsAsync(context, job).ConfigureAwait(false);
            return;
        }

        int skip = QueryInt(context, "skip") ?? 0;
        int? limit = QueryInt(context, "limit");
        await WriteStatusAsync(context, job, skip, limit).ConfigureAwait(false);
    }

    private static int? QueryInt(HttpContext context, string name) =>
        int.TryParse(context.Request.Query[name].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;
}
