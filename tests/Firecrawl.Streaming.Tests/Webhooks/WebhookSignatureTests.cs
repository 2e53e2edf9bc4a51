using System.Text;
using Firecrawl.Streaming.Webhooks;

namespace Firecrawl.Streaming.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog");

    [Fact]
    public void Compute_KnownVector_MatchesHmacSha256()
    {
        // RFC-style vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        Assert.Equal("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", WebhookSignature.Compute(Body, "key"));
    }

    [Theory]
    [InlineData("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", true)]
    [InlineData("SHA256=F7BC83F430538424B13298E6AA6FB143EF4D59A14946175997479DBC2D1A3CD8", true)]
    [InlineData("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd9", false)]
    [InlineData("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", false)]
    [InlineData("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3c", false)]
    [InlineData("sha256=zz", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValid_HeaderForms_OnlyTheExactMacPasses(string? header, bool valid) =>
        Assert.Equal(valid, WebhookSignature.IsValid(header, Body, ["key"]));

    [Fact]
    public void IsValid_RotatedSecrets_EitherVerifiesNeitherOtherDoes()
    {
        string old = WebhookSignature.Compute(Body, "old");
        string current = WebhookSignature.Compute(Body, "new");
        Assert.True(WebhookSignature.IsValid(old, Body, ["old", "new"]));
        Assert.True(WebhookSignature.IsValid(current, Body, ["old", "new"]));
        Assert.False(WebhookSignature.IsValid(WebhookSignature.Compute(Body, "other"), Body, ["old", "new"]));
        Assert.False(WebhookSignature.IsValid(current, Body, []));
    }

    [Fact]
    public void IsValid_OneByteChanged_Fails()
    {
        string signature = WebhookSignature.Compute(Body, "key");
        byte[] changed = [.. Body];
        changed[^1] ^= 1;
        Assert.False(WebhookSignature.IsValid(signature, changed, ["key"]));
        Assert.False(WebhookSignature.IsValid(signature, [.. Body, (byte)' '], ["key"]));
    }
}
