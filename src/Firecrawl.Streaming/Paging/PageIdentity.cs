using System.Security.Cryptography;
using System.Text;

namespace Firecrawl.Streaming;

/// <summary>
/// Which page a page is, independent of where the server listed it: how retries, de-duplication and gap repair
/// recognise a page served again at another offset. <c>metadata.scrapeId</c> when the page has one (16 bytes when it
/// is a UUID, as it is in practice; else a hash of it); a page without one is identified by a hash of its bytes, so
/// that a byte-for-byte repeat of it counts as the same page wherever it appears.
/// </summary>
/// <remarks>
/// <see cref="ScrapedPage.Key"/> (what sinks key by) keeps the position in its fallback, so two identical pages without
/// a scrape id are still two records in a sink; the stream, which must not lose or repeat a page when offsets move,
/// treats them as one. The hashes are SHA-256 cut to 128 bits: a collision is not a practical concern.
/// </remarks>
internal readonly record struct PageIdentity
{
    private readonly Guid _value;
    private readonly IdentityKind _kind;

    private PageIdentity(Guid value, IdentityKind kind)
    {
        _value = value;
        _kind = kind;
    }

    private enum IdentityKind : byte
    {
        Uuid = 1,
        ScrapeIdHash,
        ContentHash,
    }

    /// <summary>Gets a value indicating whether the page has a scrape id (then a resume token can name it).</summary>
    public bool HasScrapeId => _kind is IdentityKind.Uuid or IdentityKind.ScrapeIdHash;

    /// <summary>The page's identity. Cheap for a UUID scrape id (no string is built); hashes otherwise.</summary>
    public static PageIdentity Of(ScrapedPage page)
    {
        if (page.TryGetScrapeIdGuid(out Guid id))
        {
            return new PageIdentity(id, IdentityKind.Uuid);
        }

        return page.Metadata.ScrapeId is { Length: > 0 } text ? FromScrapeId(text) : new PageIdentity(page.ContentHash, IdentityKind.ContentHash);
    }

    /// <summary>The identity of the page a resume token names by its scrape id (the same value <see cref="Of"/> gives that page).</summary>
    public static PageIdentity FromScrapeId(string scrapeId) =>
        Guid.TryParseExact(scrapeId, "D", out Guid id) ? new PageIdentity(id, IdentityKind.Uuid) : HashOf(scrapeId);

    /// <summary>The scrape id as a resume token writes it, when it is a UUID (null otherwise: the caller keeps the text).</summary>
    public string? UuidText => _kind == IdentityKind.Uuid ? _value.ToString("D") : null;

    private static PageIdentity HashOf(string scrapeId) => new(Hash(Encoding.UTF8.GetBytes(scrapeId)), IdentityKind.ScrapeIdHash);

    private static Guid Hash(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return new Guid(hash[..16]);
    }
}
