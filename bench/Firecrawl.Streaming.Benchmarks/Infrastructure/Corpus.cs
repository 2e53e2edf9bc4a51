using System.Text;
using Firecrawl.Streaming.Testing;

namespace Firecrawl.Streaming.Benchmarks.Infrastructure;

/// <summary>The chunks the parser benchmarks read.</summary>
public enum ChunkKind
{
    /// <summary>About 10 MiB of mixed pages, like one full response of the real API.</summary>
    Pages10MB,

    /// <summary>One page of about 30 MB (huge markdown, HTML and a base64 screenshot) alone in its chunk.</summary>
    SinglePage30MB,
}

/// <summary>
/// Benchmark input built with the Testing kit's <see cref="FakePageGenerator"/> from fixed seeds, and stored on
/// disk the first time: the generator seeds its <see cref="Random"/> with <see cref="HashCode.Combine{T1,T2}"/>, which
/// .NET randomizes per process, so without the files every benchmark process (and the host, which computes MB/s
/// from the sizes) would see slightly different bytes. With them, every process of a run, and every later run
/// on the machine, reads identical input (delete the folder, or change <see cref="Version"/>, to regenerate).
/// </summary>
public static class Corpus
{
    public const int Seed = 20261128;
    public const long ChunkCap = 10L * 1024 * 1024;
    public const string DirectoryVariable = "FCBENCH_CORPUS_DIR";
    private const string Version = "v1";

    private static readonly Lazy<byte[]> s_pages10MB = new(() => Cached("pages10mb", () => BuildChunk(ChunkPages(ChunkCap))));
    private static readonly Lazy<byte[]> s_single30MB = new(() => Cached("single30mb", () => BuildChunk([HugePage()])));
    private static readonly Lazy<byte[][]> s_templates = new(() => Unpack(Cached("templates", () => Pack([.. Enumerable.Range(0, TemplateCount).Select(i => MixedPage(i))]))));

    public static string Directory => Environment.GetEnvironmentVariable(DirectoryVariable)
        ?? Path.Combine(Path.GetTempPath(), "fcbench-corpus");

    /// <summary>Generates (or loads) every input, before any benchmark process starts.</summary>
    public static void Prepare()
    {
        Environment.SetEnvironmentVariable(DirectoryVariable, Directory);
        _ = s_pages10MB.Value;
        _ = s_single30MB.Value;
        _ = s_templates.Value;
    }

    private static byte[] Cached(string name, Func<byte[]> generate)
    {
        string path = Path.Combine(Directory, $"{name}-{Version}.bin");
        if (File.Exists(path))
        {
            return File.ReadAllBytes(path);
        }

        byte[] bytes = generate();
        System.IO.Directory.CreateDirectory(Directory);
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
        return bytes;
    }

    private static byte[] Pack(byte[][] items)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(items.Length);
        foreach (byte[] item in items)
        {
            writer.Write(item.Length);
            writer.Write(item);
        }

        writer.Flush();
        return stream.ToArray();
    }

    private static byte[][] Unpack(byte[] packed)
    {
        using var reader = new BinaryReader(new MemoryStream(packed));
        var items = new byte[reader.ReadInt32()][];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = reader.ReadBytes(reader.ReadInt32());
        }

        return items;
    }

    /// <summary>Distinct pages a job cycles through (a job page is a template with its own scrape id).</summary>
    public const int TemplateCount = 1000;

    /// <summary>The most common shape: about 9 KB of markdown and HTML, a dozen links, open-ended metadata.</summary>
    public static PageShape Article { get; } = new() { MarkdownChars = 4000, Html = true, Links = 12 };

    /// <summary>One page in ten also carries a base64 screenshot (24 KB decoded, 32 KB encoded).</summary>
    public static PageShape WithScreenshot { get; } = new() { MarkdownChars = 3000, Html = true, Links = 20, ScreenshotBytes = 24 * 1024 };

    /// <summary>A short page (listing, error page).</summary>
    public static PageShape Listing { get; } = new() { MarkdownChars = 600, Html = true, Links = 4 };

    public static byte[] Get(ChunkKind kind) => kind switch
    {
        ChunkKind.Pages10MB => s_pages10MB.Value,
        ChunkKind.SinglePage30MB => s_single30MB.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Page <paramref name="index"/> of the mixed corpus.</summary>
    public static byte[] MixedPage(int index) => FakePageGenerator.Page(index, Seed, (index % 10) switch
    {
        3 => WithScreenshot,
        6 or 8 => Listing,
        _ => Article,
    });

    /// <summary>The page template job page <paramref name="index"/> is made from.</summary>
    public static byte[] Template(int index) => s_templates.Value[index % TemplateCount];

    /// <summary>
    /// Job page <paramref name="index"/>: a copy of its template with a scrape id of its own (the client drops
    /// pages whose scrape id it has seen, so a job must not repeat them).
    /// </summary>
    public static byte[] JobPage(int index)
    {
        byte[] template = Template(index);
        byte[] page = (byte[])template.Clone();
        int at = ScrapeIdOffset(index % TemplateCount);
        Encoding.ASCII.GetBytes(FakePageGenerator.ScrapeId(Seed, index), page.AsSpan(at, 36));
        return page;
    }

    /// <summary>The number of pages of a job of about <paramref name="megabytes"/> MB (10^6 bytes) of page JSON.</summary>
    public static int JobPageCount(int megabytes)
    {
        double average = s_templates.Value.Average(t => t.Length);
        return (int)Math.Round(megabytes * 1_000_000.0 / average);
    }

    /// <summary>The exact number of page-JSON bytes in a job of <paramref name="pageCount"/> pages.</summary>
    public static long JobBytes(int pageCount)
    {
        byte[][] templates = s_templates.Value;
        long total = 0;
        for (int i = 0; i < pageCount; i++)
        {
            total += templates[i % TemplateCount].Length;
        }

        return total;
    }

    private static readonly Lazy<int[]> s_scrapeIdOffsets = new(() =>
    {
        byte[][] templates = s_templates.Value;
        var offsets = new int[TemplateCount];
        for (int i = 0; i < TemplateCount; i++)
        {
            byte[] id = Encoding.ASCII.GetBytes(FakePageGenerator.ScrapeId(Seed, i));
            offsets[i] = templates[i].AsSpan().IndexOf(id);
            if (offsets[i] < 0)
            {
                throw new InvalidOperationException($"template {i} has no scrape id");
            }
        }

        return offsets;
    });

    private static int ScrapeIdOffset(int template) => s_scrapeIdOffsets.Value[template];

    /// <summary>Mixed pages up to the real server's cap (counted, as it does, in UTF-16 code units).</summary>
    private static List<byte[]> ChunkPages(long cap)
    {
        var pages = new List<byte[]>();
        long units = 0;
        for (int i = 0; ; i++)
        {
            byte[] page = MixedPage(i);
            long size = Encoding.UTF8.GetCharCount(page);
            if (units + size > cap)
            {
                return pages;
            }

            pages.Add(page);
            units += size;
        }
    }

    private static byte[] HugePage() => FakePageGenerator.Page(0, Seed, new PageShape
    {
        MarkdownChars = 9_000_000,
        Html = true,
        Links = 2_000,
        ScreenshotBytes = 6 * 1024 * 1024,
    });

    /// <summary>A status body as the server writes it: the envelope with <c>next</c> before <c>data</c>.</summary>
    public static byte[] BuildChunk(IReadOnlyList<byte[]> pages)
    {
        byte[] head = Encoding.UTF8.GetBytes(
            "{\"success\":true,\"status\":\"completed\",\"completed\":50000,\"total\":50000,\"creditsUsed\":50000," +
            "\"expiresAt\":\"2026-11-29T10:00:00.000Z\",\"next\":\"https://api.firecrawl.dev/v2/batch/scrape/" +
            "0b5a3c9e-8f3e-4c1a-9d8e-2f6b7a1c0d4e?skip=" + pages.Count + "\",\"data\":[");
        long length = head.Length + pages.Sum(p => (long)p.Length) + pages.Count + 2;
        var body = new byte[length];
        head.CopyTo(body, 0);
        int at = head.Length;
        for (int i = 0; i < pages.Count; i++)
        {
            if (i > 0)
            {
                body[at++] = (byte)',';
            }

            pages[i].CopyTo(body, at);
            at += pages[i].Length;
        }

        body[at++] = (byte)']';
        body[at++] = (byte)'}';
        return body.AsSpan(0, at).ToArray();
    }
}
