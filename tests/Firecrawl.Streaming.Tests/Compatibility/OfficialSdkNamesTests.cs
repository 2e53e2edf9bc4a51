using System.Globalization;
using System.Reflection;
using System.Text;
using Firecrawl.Streaming.Pipeline;
using Firecrawl.Streaming.Sinks.AzureBlobs;
using Firecrawl.Streaming.Sinks.Lucene;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Firecrawl.Streaming.Tests.Compatibility;

/// <summary>
/// A program that imports the official Firecrawl .NET SDK's namespaces next to this library's must compile. The
/// official package is not available here, so stand-in namespaces declare its public type names; the program then
/// names every public type of every library package, and every official name, by its simple name.
/// </summary>
public sealed class OfficialSdkNamesTests
{
    private const string StandIns = """
        namespace Firecrawl { public class FirecrawlClient { } }
        namespace Firecrawl.Models { public class Document { } public class ScrapeOptions { } }
        namespace Firecrawl.Exceptions
        {
            public class FirecrawlException : System.Exception { }
            public class AuthenticationException : FirecrawlException { }
            public class RateLimitException : FirecrawlException { }
            public class JobTimeoutException : FirecrawlException { }
        }
        """;

    private static readonly Assembly[] Libraries =
    [
        typeof(FirecrawlJobClient).Assembly,
        typeof(LuceneIndexSink).Assembly,
        typeof(AzureBlobSink).Assembly,
        typeof(Firecrawl.Streaming.Testing.FakeFirecrawlServer).Assembly,
    ];

    [Fact]
    public void Compile_OfficialNamespacesImportedBesideThisLibrary_NoAmbiguity()
    {
        Type[] ours = [.. Libraries.SelectMany(a => a.GetExportedTypes()).Where(t => !t.IsNested)];
        string[] namespaces = [.. ours.Select(t => t.Namespace!).Distinct().Order(StringComparer.Ordinal)];
        var program = new StringBuilder();
        program.AppendLine("using Firecrawl;\nusing Firecrawl.Models;\nusing Firecrawl.Exceptions;");
        foreach (string ns in namespaces)
        {
            program.AppendLine(CultureInfo.InvariantCulture, $"using {ns};");
        }

        program.AppendLine("public static class UsesBoth\n{\n    public static void Touch()\n    {");
        foreach (string official in new[] { "FirecrawlClient", "Document", "ScrapeOptions", "FirecrawlException", "AuthenticationException", "RateLimitException", "JobTimeoutException" })
        {
            program.AppendLine(CultureInfo.InvariantCulture, $"        _ = typeof({official});");
        }

        foreach (Type type in ours)
        {
            string name = type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{new string(',', type.GetGenericArguments().Length - 1)}>" : type.Name;
            program.AppendLine(CultureInfo.InvariantCulture, $"        _ = typeof({name});");
        }

        program.AppendLine("""
                    using var client = new FirecrawlJobClient(new FirecrawlJobClientOptions { ApiKey = "fc-key" });
                    JobPages pages = client.StreamCrawlAsync("job");
                    try { } catch (FirecrawlApiException) { } catch (JobStreamException) { } catch (FirecrawlException) { }
                }
            }
            """);

        CSharpCompilation compilation = CSharpCompilation.Create(
            "UsesBoth",
            [CSharpSyntaxTree.ParseText(StandIns), CSharpSyntaxTree.ParseText(program.ToString())],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        Diagnostic[] errors = [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
        Assert.True(errors.Length == 0, string.Join('\n', errors.Select(e => e.ToString())));
        Assert.True(ours.Length > 60, $"only {ours.Length} public types were checked");
    }

    [Fact]
    public void Compile_AmbiguousName_IsReported()
    {
        // The check can fail: a type of ours with an official name is a CS0104 error.
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Clash",
            [
                CSharpSyntaxTree.ParseText(StandIns),
                CSharpSyntaxTree.ParseText("namespace Firecrawl.Streaming.Fake { public class Document { } }"),
                CSharpSyntaxTree.ParseText("using Firecrawl.Models; using Firecrawl.Streaming.Fake; static class C { static object M() => typeof(Document); }"),
            ],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        Assert.Contains(compilation.GetDiagnostics(), d => d.Id == "CS0104");
    }

    private static IEnumerable<MetadataReference> References()
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return platform.Concat(Libraries.Select(a => a.Location)).Distinct().Select(path => MetadataReference.CreateFromFile(path));
    }
}
