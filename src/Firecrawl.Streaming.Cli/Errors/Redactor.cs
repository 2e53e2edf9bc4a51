namespace Firecrawl.Streaming.Cli.Errors;

/// <summary>
/// Removes secrets (the API key, storage connection strings and the account keys inside them) from any text
/// the tool prints. The library already keeps the key out of its messages; this also covers what other
/// components echo back, such as a parser quoting a mistyped argument.
/// </summary>
internal sealed class Redactor
{
    private const string Mask = "***";
    private readonly List<string> _secrets = [];

    public void Add(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length < 4)
        {
            // Masking a two-letter "key" would mangle ordinary words instead of protecting anything.
            return;
        }

        string trimmed = secret.Trim();
        if (!_secrets.Contains(trimmed, StringComparer.Ordinal))
        {
            _secrets.Add(trimmed);
            _secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
        }

        // A connection string's parts also appear on their own in storage errors.
        foreach (string part in trimmed.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && IsSecretPart(part[..equals]))
            {
                Add(part[(equals + 1)..]);
            }
        }
    }

    public string Redact(string text)
    {
        foreach (string secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }

    private static bool IsSecretPart(string name) =>
        name.Trim() is { } n && (n.Equals("AccountKey", StringComparison.OrdinalIgnoreCase) || n.Equals("SharedAccessSignature", StringComparison.OrdinalIgnoreCase));
}
