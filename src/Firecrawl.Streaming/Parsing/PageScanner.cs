using System.Buffers;
using System.Text.Json;

namespace Firecrawl.Streaming;

/// <summary>
/// Records the structure of one page object while its tokens stream past: where each known field's
/// value sits, and (for a field selection) where each top-level property starts and ends. It keeps
/// absolute offsets, so it survives the reader being re-created over a new buffer mid-page.
/// </summary>
internal struct PageScanner
{
    private int _pageDepth;
    private long _start;
    private PageField _field;
    private long _nameStart;
    private long _valueStart;
    private MetadataField _metaField;
    private long _metaValueStart;
    private PageLayout _layout;
    private List<PropertySpan>? _properties;

    /// <summary>Absolute offset of the page's opening brace.</summary>
    public readonly long Start => _start;

    /// <summary>Starts a page at the reader's current <c>{</c>.</summary>
    /// <param name="pageDepth">The reader depth of the page's opening brace.</param>
    /// <param name="start">Absolute offset of the opening brace.</param>
    /// <param name="properties">Collects property spans when a selection is active; <see langword="null"/> keeps everything.</param>
    public void Begin(int pageDepth, long start, List<PropertySpan>? properties)
    {
        _pageDepth = pageDepth;
        _start = start;
        _layout = default;
        _field = PageField.Other;
        _properties = properties;
        _properties?.Clear();
    }

    /// <summary>Feeds the token the reader is on; returns <see langword="true"/> when it closed the page.</summary>
    /// <param name="reader">The reader, positioned on a token inside the page.</param>
    /// <param name="sliceBase">Absolute offset of the reader's input.</param>
    public bool OnToken(ref Utf8JsonReader reader, long sliceBase)
    {
        int depth = reader.CurrentDepth - _pageDepth;
        JsonTokenType type = reader.TokenType;
        if (depth == 1)
        {
            switch (type)
            {
                case JsonTokenType.PropertyName:
                    _field = PropertyNames.ClassifyPageField(ref reader);
                    _nameStart = sliceBase + reader.TokenStartIndex;
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    _valueStart = sliceBase + reader.TokenStartIndex;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    EndProperty(_valueStart, sliceBase + reader.BytesConsumed);
                    break;
                default:
                    EndProperty(sliceBase + reader.TokenStartIndex, sliceBase + reader.BytesConsumed);
                    break;
            }

            return false;
        }

        if (depth == 2 && _field == PageField.Metadata)
        {
            switch (type)
            {
                case JsonTokenType.PropertyName:
                    _metaField = PropertyNames.ClassifyMetadataField(ref reader);
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    _metaValueStart = sliceBase + reader.TokenStartIndex;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    SetMetadata(_metaValueStart, sliceBase + reader.BytesConsumed);
                    break;
                default:
                    SetMetadata(sliceBase + reader.TokenStartIndex, sliceBase + reader.BytesConsumed);
                    break;
            }

            return false;
        }

        return depth == 0 && type == JsonTokenType.EndObject;
    }

    private void EndProperty(long valueStart, long valueEnd)
    {
        if (_field == PageField.Other)
        {
            _layout.HasOther = true;
        }
        else
        {
            // A repeated name: the last one wins, as with JsonSerializer.
            _layout.Set(_field, new ValueRange((int)(valueStart - _start), (int)(valueEnd - valueStart)));
        }

        _properties?.Add(new PropertySpan(_field, (int)(_nameStart - _start), (int)(valueEnd - _start)));
    }

    private void SetMetadata(long valueStart, long valueEnd)
    {
        if (_metaField != MetadataField.Other)
        {
            _layout.Set(_metaField, new ValueRange((int)(valueStart - _start), (int)(valueEnd - valueStart)));
        }
    }

    /// <summary>
    /// Copies the finished page out of the pipe's buffer into memory the page owns, keeping only the
    /// selected properties, and returns the layout adjusted to the copy.
    /// </summary>
    public readonly int CopyTo(in ReadOnlySequence<byte> page, PageFields selection, byte[] destination, out PageLayout layout)
    {
        layout = _layout;
        if (_properties is null)
        {
            page.CopyTo(destination);
            return (int)page.Length;
        }

        Span<byte> output = destination;
        output[0] = (byte)'{';
        int written = 1;
        bool keepMetadata = false;
        foreach (PropertySpan property in _properties)
        {
            if (!IsSelected(property.Field, selection))
            {
                continue;
            }

            if (written > 1)
            {
                output[written++] = (byte)',';
            }

            int delta = written - property.Start;
            int length = property.End - property.Start;
            page.Slice(property.Start, length).CopyTo(output[written..]);
            written += length;
            if (property.Field != PageField.Other && layout[property.Field].Start >= property.Start && layout[property.Field].Start < property.End)
            {
                layout.Set(property.Field, layout[property.Field].Shift(delta));
                if (property.Field == PageField.Metadata)
                {
                    layout.ShiftMetadata(delta);
                    keepMetadata = true;
                }
            }
        }

        for (PageField field = PageField.Markdown; field <= PageField.Metadata; field++)
        {
            if (!IsSelected(field, selection))
            {
                layout.Set(field, default);
            }
        }

        if (!keepMetadata)
        {
            written = WriteIdentity(page, output, written, ref layout);
        }

        output[written++] = (byte)'}';

        layout.HasOther &= IsSelected(PageField.Other, selection);
        return written;
    }

    /// <summary>
    /// A page's identity survives any selection: when its metadata is not kept, a reduced <c>metadata</c> object with
    /// only <c>scrapeId</c>, <c>url</c> and <c>sourceURL</c> is written in its place, so that de-duplication, sink keys
    /// and stored lines still know which page this is.
    /// </summary>
    private static int WriteIdentity(in ReadOnlySequence<byte> page, Span<byte> output, int written, ref PageLayout source)
    {
        PageLayout original = source;
        source.Metadata = default;
        if (!original[MetadataField.ScrapeId].IsPresent && !original[MetadataField.Url].IsPresent && !original[MetadataField.SourceUrl].IsPresent)
        {
            return written;
        }

        int objectStart = written + (written > 1 ? 1 : 0) + MetadataName.Length;
        if (written > 1)
        {
            output[written++] = (byte)',';
        }

        MetadataName.CopyTo(output[written..]);
        written += MetadataName.Length;
        output[written++] = (byte)'{';
        bool first = true;
        foreach ((MetadataField field, byte[] name) in s_identityNames)
        {
            ValueRange range = original[field];
            if (!range.IsPresent)
            {
                continue;
            }

            if (!first)
            {
                output[written++] = (byte)',';
            }

            first = false;
            name.CopyTo(output[written..]);
            written += name.Length;
            page.Slice(range.Start, range.Length).CopyTo(output[written..]);
            source.Set(field, new ValueRange(written, range.Length));
            written += range.Length;
        }

        output[written++] = (byte)'}';
        source.Set(PageField.Metadata, new ValueRange(objectStart, written - objectStart));
        return written;
    }

    // A comma, the name, the braces, three names and the commas between them: 45 bytes; rounded up.
    private const int IdentityOverhead = 48;

    private static ReadOnlySpan<byte> MetadataName => "\"metadata\":"u8;

    private static readonly (MetadataField Field, byte[] Name)[] s_identityNames =
    [
        (MetadataField.ScrapeId, "\"scrapeId\":"u8.ToArray()),
        (MetadataField.Url, "\"url\":"u8.ToArray()),
        (MetadataField.SourceUrl, "\"sourceURL\":"u8.ToArray()),
    ];

    /// <summary>An upper bound of the bytes <see cref="CopyTo"/> writes.</summary>
    public readonly int MeasureCopy(long pageLength, PageFields selection)
    {
        if (_properties is null)
        {
            return (int)pageLength;
        }

        // Room for the identity that replaces unselected metadata (see WriteIdentity).
        int length = 2 + IdentityOverhead + _layout[MetadataField.ScrapeId].Length + _layout[MetadataField.Url].Length + _layout[MetadataField.SourceUrl].Length;
        foreach (PropertySpan property in _properties)
        {
            if (IsSelected(property.Field, selection))
            {
                length += property.End - property.Start + 1;
            }
        }

        return length;
    }

    public static bool IsSelected(PageField field, PageFields selection) => field switch
    {
        PageField.Markdown => (selection & PageFields.Markdown) != 0,
        PageField.Html => (selection & PageFields.Html) != 0,
        PageField.RawHtml => (selection & PageFields.RawHtml) != 0,
        PageField.Links => (selection & PageFields.Links) != 0,
        PageField.Screenshot => (selection & PageFields.Screenshot) != 0,
        PageField.Summary => (selection & PageFields.Summary) != 0,
        PageField.Metadata => (selection & PageFields.Metadata) != 0,
        _ => (selection & PageFields.Other) != 0,
    };

    /// <summary>Scans a lone page object held in one span (for <see cref="PageParser.Parse"/>).</summary>
    public static PageLayout ScanStandalone(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = PageParser.MaxDepth });
        var scanner = default(PageScanner);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                ThrowHelper.ThrowMalformed("a page must be a JSON object", reader.TokenStartIndex);
            }

            scanner.Begin(pageDepth: 0, start: reader.TokenStartIndex, properties: null);
            while (reader.Read())
            {
                if (scanner.OnToken(ref reader, 0))
                {
                    if (reader.Read())
                    {
                        ThrowHelper.ThrowMalformed("unexpected data after the page object", reader.TokenStartIndex);
                    }

                    return scanner._layout;
                }
            }
        }
        catch (JsonException e)
        {
            ThrowHelper.ThrowMalformed(e.Message, reader.BytesConsumed, e);
        }

        ThrowHelper.ThrowMalformed("the page object is incomplete", json.Length);
        return default;
    }
}

/// <summary>Where one top-level property of a page lies, relative to the page's first byte.</summary>
internal readonly record struct PropertySpan(PageField Field, int Start, int End);
