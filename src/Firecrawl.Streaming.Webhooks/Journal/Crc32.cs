namespace Firecrawl.Streaming.Webhooks.Journal;

/// <summary>CRC-32 (IEEE 802.3, reflected), to tell a record written whole from one torn or overwritten by a crash.</summary>
internal static class Crc32
{
    private static readonly uint[] s_table = BuildTable();

    public static uint Compute(byte type, ReadOnlySpan<byte> data)
    {
        uint crc = Step(0xFFFFFFFFu, type);
        foreach (byte b in data)
        {
            crc = Step(crc, b);
        }

        return ~crc;
    }

    private static uint Step(uint crc, byte b) => s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
