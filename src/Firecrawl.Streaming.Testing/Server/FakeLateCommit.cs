namespace Firecrawl.Streaming.Testing;

/// <summary>
/// A page that commits late: the real server lists pages <c>ORDER BY finished_at, created_at</c> with
/// <c>skip</c> as an OFFSET, so a row committed late with an earlier <c>finished_at</c> appears before rows
/// already listed and every offset behind it moves by one.
/// </summary>
/// <remarks>
/// Until it is revealed the page is absent from every listing (the pages after it sit one position lower,
/// and <c>completed</c> does not count it); from then on it sits at <see cref="Index"/>. It is revealed once the
/// job has received a status request whose <c>skip</c> is at least <see cref="RevealAfterSkip"/>; that request
/// still sees the listing without it. A reader that paged past the position therefore gets the page at its
/// cursor boundary twice and never gets the late one unless it looks back.
/// </remarks>
/// <param name="Index">The page's position in the job's final order (an index into <see cref="FakeJob.Pages"/>).</param>
/// <param name="RevealAfterSkip">The page appears after a status request with <c>skip</c> at least this has been received (0: after the first status request).</param>
public sealed record FakeLateCommit(int Index, int RevealAfterSkip);
