using System.Text;

namespace Firecrawl.Streaming.Tests.Http;

public sealed class KeyRedactorTests
{
    private const string Key = "fc-0123456789abcdef";

    private static readonly KeyRedactor Redactor = new(Key);

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(45)]
    [InlineData(55)]
    [InlineData(59)]
    public void Preview_KeyAnywhereAroundTheCut_NoPartOfItShown(int keyAt)
    {
        string body = new string('x', keyAt) + "Bearer " + Key + " and then more text of the page";

        string preview = Redactor.Preview(Encoding.UTF8.GetBytes(body), 60);

        Assert.True(preview.Length <= 60);
        for (int i = 0; i + 4 <= Key.Length; i++)
        {
            Assert.DoesNotContain(Key.Substring(i, 4), preview, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    [InlineData(18)]
    public void Preview_BytesEndInsideTheKey_TheStartOfTheKeyIsMasked(int keyChars)
    {
        string preview = Redactor.Preview(Encoding.UTF8.GetBytes("Authorization: Bearer " + Key[..keyChars]), 300);

        Assert.Equal("Authorization: Bearer ***", preview);
    }

    [Fact]
    public void Preview_NoKey_QuotesTheStartUnchanged()
    {
        Assert.Equal("<html><head><title>502", Redactor.Preview("<html><head><title>502 Bad Gateway</title>"u8, 22));
    }

    [Fact]
    public void Redact_EveryOccurrence_Replaced()
    {
        Assert.Equal("a *** b ***", Redactor.Redact($"a {Key} b {Key}"));
        Assert.Null(Redactor.Redact(null));
    }
}
