using System.Globalization;
using System.Text;

namespace Firecrawl.Streaming.Sinks.AzureBlobs;

/// <summary>
/// The metadata <see cref="AzureBlobSink"/> sets on each page blob, and how its values are encoded.
/// </summary>
/// <remarks>
/// Blob metadata travels as HTTP headers, so values must be printable ASCII. Text values (<see cref="Url"/>,
/// <see cref="Title"/>) are therefore percent-encoded UTF-8: every byte outside <c>!</c>..<c>~</c>, and <c>%</c>
/// itself, becomes <c>%XX</c>. <see cref="Decode"/> (or <see cref="Uri.UnescapeDataString(string)"/>) restores them
/// exactly. Azure limits all metadata of a blob to 8 KB, so a URL is cut after <see cref="MaxUrlLength"/> and a
/// title after <see cref="MaxTitleLength"/> encoded characters (never inside a character), and <see cref="Truncated"/>
/// names what was cut. The blob content always holds the full page.
/// </remarks>
public static class AzureBlobMetadata
{
    /// <summary>The page URL, percent-encoded.</summary>
    public const string Url = "url";

    /// <summary>The page title, percent-encoded (absent when the page has none).</summary>
    public const string Title = "title";

    /// <summary>The page's <c>metadata.scrapeId</c>, percent-encoded (absent when the page has none).</summary>
    public const string ScrapeId = "scrapeid";

    /// <summary>The HTTP status of the scraped page, in decimal (absent when unknown).</summary>
    public const string StatusCode = "statuscode";

    /// <summary>The id of the job the page came from, percent-encoded.</summary>
    public const string JobId = "jobid";

    /// <summary>The page's position in its job, in decimal.</summary>
    public const string Position = "position";

    /// <summary>The names of the values that were cut to fit, comma-separated (absent when none was).</summary>
    public const string Truncated = "truncated";

    /// <summary>The longest encoded URL kept.</summary>
    public const int MaxUrlLength = 4096;

    /// <summary>The longest encoded title kept.</summary>
    public const int MaxTitleLength = 1024;

    private const int MaxIdLength = 256;

    /// <summary>Percent-encodes a value so that it is printable ASCII and decodes back exactly.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The encoded value.</returns>
    public static string Encode(string value) => Encode(value, int.MaxValue, out _);

    /// <summary>Decodes a value made by <see cref="Encode(string)"/>.</summary>
    /// <param name="value">The encoded value.</param>
    /// <returns>The original value.</returns>
    public static string Decode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Uri.UnescapeDataString(value);
    }

    /// <summary>The metadata of a page's blob.</summary>
    internal static Dictionary<string, string> For(ScrapedPage page)
    {
        PageMetadata metadata = page.Metadata;
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [JobId] = Encode(page.JobId, MaxIdLength, out _),
            [Position] = page.Position.ToString(CultureInfo.InvariantCulture),
        };
        var truncated = new List<string>();
        Add(values, truncated, Url, page.Url, MaxUrlLength);
        Add(values, truncated, Title, metadata.Title, MaxTitleLength);
        Add(values, truncated, ScrapeId, metadata.ScrapeId, MaxIdLength);
        if (metadata.StatusCode is int statusCode)
        {
            values[StatusCode] = statusCode.ToString(CultureInfo.InvariantCulture);
        }

        if (truncated.Count > 0)
        {
            values[Truncated] = string.Join(',', truncated);
        }

        return values;
    }

    private static void Add(Dictionary<string, string> values, List<string> truncated, string name, string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        values[name] = Encode(value, maxLength, out bool cut);
        if (cut)
        {
            truncated.Add(name);
        }
    }

    private static string Encode(string value, int maxLength, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(value);
        var encoded = new StringBuilder(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        truncated = false;
        foreach (Rune rune in value.EnumerateRunes())
        {
            int start = encoded.Length;
            if (rune.Value is > ' ' and < 0x7F and not '%')
            {
                encoded.Append((char)rune.Value);
            }
            else
            {
                int length = rune.EncodeToUtf8(utf8);
                foreach (byte b in utf8[..length])
                {
                    encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }

            if (encoded.Length > maxLength)
            {
                // Cut before the whole character, never inside its escapes.
                encoded.Length = start;
                truncated = true;
                break;
            }
        }

        return encoded.ToString();
    }
}
