using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>Reads the <c>error</c> text of an error response, tolerating bodies that are not JSON, without the API key.</summary>
internal static class ErrorBody
{
    // An error body is small; an HTML page from a proxy can be large and only its start is useful.
    private const int MaxBytes = 64 * 1024;

    // How much of a body that is not JSON is quoted.
    private const int PreviewChars = 300;

    public static async Task<string?> ReadAsync(HttpResponseMessage response, KeyRedactor redactor, TimeSpan idleTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxBytes];
        int length = 0;

        // HttpClient.Timeout stops at the headers: an error body that stalls must not hang the caller.
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using CancellationTokenRegistration link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), idle);
        try
        {
            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            int read;
            do
            {
                idle.CancelAfter(idleTimeout);
                read = await body.ReadAsync(buffer.AsMemory(length), idle.Token).ConfigureAwait(false);
                length += read;
            }
            while (read > 0 && length < buffer.Length);
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A body that breaks off or stalls still leaves the status; report what arrived.
        }

        return Extract(buffer.AsSpan(0, length), redactor);
    }

    /// <summary>The <c>error</c> (or <c>message</c>) of a JSON body, else the start of the body as text; the key removed either way.</summary>
    internal static string? Extract(ReadOnlySpan<byte> body, KeyRedactor redactor, int previewChars = PreviewChars)
    {
        body = body.Trim(" \t\r\n"u8);
        if (body.IsEmpty)
        {
            return null;
        }

        if (body[0] == (byte)'{')
        {
            try
            {
                var reader = new Utf8JsonReader(body, isFinalBlock: false, default);
                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1
                        && (reader.ValueTextEquals("error"u8) || reader.ValueTextEquals("message"u8)))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            return redactor.Redact(reader.GetString());
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Fall through to the text preview.
            }
        }

        // Redacted before it is cut: a key that runs past the cut must not leave its first characters behind.
        string text = redactor.Preview(body, previewChars);
        return string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
    }
}
