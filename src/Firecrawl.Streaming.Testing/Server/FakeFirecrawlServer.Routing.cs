using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Firecrawl.Streaming.Testing;

/// <summary>Routing: which route a request takes, authentication, finding jobs, cancelling.</summary>
public sealed partial class FakeFirecrawlServer
{
    private enum RouteAction
    {
        Start,
        Status,
        Errors,
        Cancel,
    }

    private static string JobPath(FakeJobKind kind, string id) =>
        kind == FakeJobKind.Crawl ? $"/v2/crawl/{id}" : $"/v2/batch/scrape/{id}";

    /// <summary>
    /// Maps <c>v2/batch/scrape[/{id}[/errors]]</c> and <c>v2/crawl[/{id}[/errors]]</c> with their methods;
    /// anything else is not a route.
    /// </summary>
    private static bool TryParseRoute(string path, string method, out FakeJobKind kind, out RouteAction action, out string? id)
    {
        string[] segments = path.Trim('/').Split('/');
        kind = FakeJobKind.BatchScrape;
        action = RouteAction.Status;
        id = null;
        int rest;
        if (segments is ["v2", "batch", "scrape", ..])
        {
            rest = 3;
        }
        else if (segments is ["v2", "crawl", ..])
        {
            kind = FakeJobKind.Crawl;
            rest = 2;
        }
        else
        {
            return false;
        }

        string[] tail = segments[rest..];
        (bool matched, action) = tail switch
        {
            [] when HttpMethods.IsPost(method) => (true, RouteAction.Start),
            [_] when HttpMethods.IsGet(method) => (true, RouteAction.Status),
            [_] when HttpMethods.IsDelete(method) => (true, RouteAction.Cancel),
            [_, "errors"] when HttpMethods.IsGet(method) => (true, RouteAction.Errors),
            _ => (false, RouteAction.Status),
        };
        id = tail.Length > 0 ? tail[0] : null;
        return matched;
    }

    private async Task RouteAsync(HttpContext context, string? authorization)
    {
        if (!TryParseRoute(context.Request.Path.Value ?? "", context.Request.Method, out FakeJobKind kind, out RouteAction action, out string? id))
        {
            await WriteErrorAsync(context, 404, "Not found").ConfigureAwait(false);
            return;
        }

        if (authorization != "Bearer " + ApiKey)
        {
            await WriteErrorAsync(context, 401, "Unauthorized: Invalid token").ConfigureAwait(false);
            return;
        }

        if (action == RouteAction.Start)
        {
            await StartJobAsync(context, kind).ConfigureAwait(false);
            return;
        }

        if (!Guid.TryParse(id, out _))
        {
            await WriteErrorAsync(context, 400, "Invalid job ID").ConfigureAwait(false);
            return;
        }

        // A job is found only under its own kind's routes, as the real server keeps crawls and batches apart.
        if (!_jobs.TryGetValue(id!, out FakeJob? job) || job.Kind != kind)
        {
            await WriteErrorAsync(context, 404, "Job not found").ConfigureAwait(false);
            return;
        }

        if (action == RouteAction.Cancel)
        {
            await CancelAsync(context, job).ConfigureAwait(false);
            return;
        }

        if (job.Options.Latency > TimeSpan.Zero)
        {
            await Task.Delay(job.Options.Latency, context.RequestAborted).ConfigureAwait(false);
        }

        if (action == RouteAction.Errors)
        {
            await WriteErrorsAsync(context, job).ConfigureAwait(false);
            return;
        }

        int skip = QueryInt(context, "skip") ?? 0;
        int? limit = QueryInt(context, "limit");
        if (limit is not null && job.Options.RejectsLimit)
        {
            await WriteErrorAsync(context, 400, "Bad Request: unrecognized query parameter: limit").ConfigureAwait(false);
            return;
        }

        await WriteStatusAsync(context, job, skip, limit).ConfigureAwait(false);
    }

    private static async Task CancelAsync(HttpContext context, FakeJob job)
    {
        if (job.Cancel())
        {
            await WriteJsonAsync(context, 200, new CancelAnswer(true, "cancelled"), FakeServerJsonContext.Default.CancelAnswer).ConfigureAwait(false);
            return;
        }

        string what = job.Kind == FakeJobKind.Crawl ? "Crawl" : "Batch scrape";
        await WriteErrorAsync(context, 409, $"{what} is already {job.Peek().Status}").ConfigureAwait(false);
    }

    private static int? QueryInt(HttpContext context, string name) =>
        int.TryParse(context.Request.Query[name].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;
}
