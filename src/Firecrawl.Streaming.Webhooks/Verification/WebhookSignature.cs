using System.Security.Cryptography;
using System.Text;

namespace Firecrawl.Streaming.Webhooks;

/// <summary>
/// The <c>X-Firecrawl-Signature</c> header: <c>sha256=</c> and the lowercase hex HMAC-SHA256 of the exact raw body,
/// keyed with the team's webhook secret.
/// </summary>
/// <remarks>
/// What is signed carries no timestamp, so a captured delivery can be replayed at will: a valid signature proves who
/// sent the bytes, not that they are new. The receiver de-duplicates for that reason.
/// </remarks>
public static class WebhookSignature
{
    /// <summary>The header Firecrawl signs deliveries in.</summary>
    public const string HeaderName = "X-Firecrawl-Signature";

    private const string Prefix = "sha256=";
    private const int HashBytes = 32;

    /// <summary>Computes the header value for <paramref name="body"/>.</summary>
    /// <param name="body">The raw body, byte for byte.</param>
    /// <param name="secret">The secret.</param>
    /// <returns><c>sha256=</c> and 64 lowercase hex digits.</returns>
    public static string Compute(ReadOnlySpan<byte> body, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Span<byte> mac = stackalloc byte[HashBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, mac);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// Checks a header value against the body with each secret in turn (several while a secret is being rotated), in time
    /// that does not depend on how many leading bytes of the signature are right.
    /// </summary>
    /// <param name="header">The header value as received; null or malformed is invalid.</param>
    /// <param name="body">The raw body, byte for byte, before any parsing.</param>
    /// <param name="secrets">The secrets accepted.</param>
    /// <returns>Whether one of the secrets signed exactly these bytes.</returns>
    public static bool IsValid(string? header, ReadOnlySpan<byte> body, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        Span<byte> given = stackalloc byte[HashBytes];
        if (!TryDecode(header, given))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HashBytes];
        bool valid = false;
        foreach (string secret in secrets)
        {
            if (string.IsNullOrEmpty(secret))
            {
                continue;
            }

            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);

            // Every secret is tried, matched or not, so the time taken says nothing about which one (if any) matched.
            valid |= CryptographicOperations.FixedTimeEquals(expected, given);
        }

        CryptographicOperations.ZeroMemory(expected);
        return valid;
    }

    private static bool TryDecode(string? header, Span<byte> mac)
    {
        if (header is null)
        {
            return false;
        }

        ReadOnlySpan<char> value = header.AsSpan().Trim();
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        ReadOnlySpan<char> hex = value[Prefix.Length..];
        return hex.Length == HashBytes * 2
            && Convert.FromHexString(hex, mac, out int consumed, out int written) == System.Buffers.OperationStatus.Done
            && consumed == hex.Length
            && written == HashBytes;
    }
}
