using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Firecrawl.Streaming.Testing;

/// <summary>Starting jobs: <c>POST /v2/batch/scrape</c> and <c>POST /v2/crawl</c>, their limits, credits, idempotency and faults.</summary>
public sealed partial class FakeFirecrawlServer
{
    private const string IdempotencyHeader = "x-idempotency-key";
    private const string BodyItem = "FakeFirecrawlServer.Body";
    private const string RecordedItem = "FakeFirecrawlServer.Recorded";

    /// <summary>Seeds of started jobs' pages start above the seeds tests usually give <see cref="FakePageGenerator"/>, so scrape ids do not collide.</summary>
    private const int StartedSeedBase = 10_000;

    private const string InsufficientCredits =
        "Insufficient credits to perform this request. For more credits, you can upgrade your plan at https://firecrawl.dev/pricing or try changing the request limit to a lower value.";

    private readonly ConcurrentDictionary<string, bool> _idempotencyKeys = new(StringComparer.OrdinalIgnoreCase);
    private int _startedCount;

    private sealed record StartOutcome(int Status, string? Error, StartAnswer? Answer);

    private async Task StartJobAsync(HttpContext context, FakeJobKind kind)
    {
        byte[]? body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        context.Items[BodyItem] = Encoding.UTF8.GetString(body);
        FakeStartFault? fault = StartFaults.Take(kind);
        switch (fault?.Kind)
        {
            case FakeStartFaultKind.Status:
                await WriteErrorAsync(context, fault.StatusCode, fault.Error!, fault.RetryAfter).ConfigureAwait(false);
                return;
            case FakeStartFaultKind.CloseBeforeCreate:
                AbortUnanswered(context);
                return;
        }

        StartOutcome outcome;
        // One start at a time: the credit check, the idempotency check and the debit must not interleave.
        lock (_creditGate)
        {
            outcome = Start(context, kind, body);
        }

        if (outcome.Error is not null)
        {
            await WriteErrorAsync(context, outcome.Status, outcome.Error).ConfigureAwait(false);
            return;
        }

        if (fault?.Kind == FakeStartFaultKind.DropAfterCreate)
        {
            AbortUnanswered(context);
            return;
        }

        if (fault?.Kind == FakeStartFaultKind.SlowAnswer)
        {
            try
            {
                await Task.Delay(fault.Delay, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client gave up waiting; the job exists all the same.
                Record(context, 0);
                return;
            }
        }

        await WriteJsonAsync(context, 200, outcome.Answer!, FakeServerJsonContext.Default.StartAnswer).ConfigureAwait(false);
    }

    /// <summary>Reads the whole body, or answers 413 (after draining it, as the real server's body parser does) and returns null.</summary>
    private async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        long max = _options.MaxRequestBodyBytes;
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        bool tooLarge = context.Request.ContentLength > max;
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            tooLarge |= buffer.Length + read > max;
            if (!tooLarge)
            {
                buffer.Write(chunk, 0, read);
            }
        }

        if (!tooLarge)
        {
            return buffer.ToArray();
        }

        await WriteErrorAsync(context, 413, $"Request body is too large. The maximum is {max} bytes.").ConfigureAwait(false);
        return null;
    }

    /// <summary>Validates and starts one job; runs under the credit lock.</summary>
    private StartOutcome Start(HttpContext context, FakeJobKind kind, byte[] body)
    {
        JsonElement root;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new StartOutcome(400, "Bad Request: the body is not valid JSON", null);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return new StartOutcome(400, "Bad Request: the body must be a JSON object", null);
        }

        return kind == FakeJobKind.Crawl ? StartCrawl(context, root) : StartBatch(context, root);
    }

    private StartOutcome StartBatch(HttpContext context, JsonElement body)
    {
        // The real credit check runs before the body is validated, on the number of URLs submitted.
        int submitted = body.TryGetProperty("urls", out JsonElement urls) && urls.ValueKind == JsonValueKind.Array ? urls.GetArrayLength() : 0;
        if (_credits < submitted)
        {
            return new StartOutcome(402, InsufficientCredits, null);
        }

        if (CheckBatchBody(body) is string error)
        {
            return new StartOutcome(400, error, null);
        }

        bool ignoreInvalid = !body.TryGetProperty("ignoreInvalidURLs", out JsonElement ignore) || ignore.GetBoolean();
        string[] all = [.. urls.EnumerateArray().Select(u => u.GetString()!)];
        string[] valid = [.. all.Where(IsValidUrl)];
        string[] invalid = [.. all.Where(u => !IsValidUrl(u))];
        if (!ignoreInvalid && invalid.Length > 0)
        {
            return new StartOutcome(400, $"Bad Request: urls: Invalid URL: {invalid[0]}", null);
        }

        if (valid.Length == 0)
        {
            return new StartOutcome(400, "Bad Request: no valid URLs provided", null);
        }

        _credits -= submitted;
        FakeJob job = CreateStartedJob(FakeJobKind.BatchScrape, valid);
        PushIfConfigured(job, body);
        string url = $"{context.Request.Scheme}://{context.Request.Host}{JobPath(job.Kind, job.Id)}";
        var answer = new StartAnswer(true, job.Id, url) { InvalidUrls = ignoreInvalid ? invalid : null };
        return new StartOutcome(200, null, answer);
    }

    private StartOutcome StartCrawl(HttpContext context, JsonElement body)
    {
        if (_credits < 1)
        {
            return new StartOutcome(402, InsufficientCredits, null);
        }

        // The real idempotency check runs before the body is validated: a key is spent even by an invalid start.
        string? key = context.Request.Headers.TryGetValue(IdempotencyHeader, out var header) ? header.ToString() : null;
        if (key is not null)
        {
            if (!Guid.TryParseExact(key, "D", out _))
            {
                return new StartOutcome(400, "Invalid idempotency key", null);
            }

            if (!_idempotencyKeys.TryAdd(key, true))
            {
                return new StartOutcome(409, "Idempotency key already used", null);
            }
        }

        if (CheckCrawlBody(body) is string error)
        {
            return new StartOutcome(400, error, null);
        }

        string start = body.GetProperty("url").GetString()!.TrimEnd('/');
        int limit = body.TryGetProperty("limit", out JsonElement value) ? value.GetInt32() : 10;
        // The real server lowers a crawl's limit to the credits left.
        int pages = (int)Math.Min(Math.Min(limit, _options.CrawlSiteSize), _credits ?? long.MaxValue);
        _credits -= pages;
        FakeJob job = CreateStartedJob(FakeJobKind.Crawl, [.. Enumerable.Range(0, Math.Max(0, pages)).Select(i => $"{start}/page-{i}")]);
        PushIfConfigured(job, body);
        string url = $"{context.Request.Scheme}://{context.Request.Host}{JobPath(job.Kind, job.Id)}";
        return new StartOutcome(200, null, new StartAnswer(true, job.Id, url));
    }

    private FakeJob CreateStartedJob(FakeJobKind kind, string[] urls)
    {
        FakeJobOptions options = _options.StartedJobOptions();
        options.Kind = kind;
        int seed = StartedSeedBase + Interlocked.Increment(ref _startedCount);
        FakeJob job = Register(new FakeJob(Guid.NewGuid().ToString(), urls.Length, i => FakePageGenerator.PageFor(urls[i], i, seed), options));
        _started.Enqueue(job);
        return job;
    }
}
