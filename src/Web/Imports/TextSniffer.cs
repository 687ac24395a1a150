using System.Text;

namespace SalesDash.Web.Imports;

/// <summary>How a file's text is written: its encoding and the character between fields.</summary>
/// <param name="EncodingName">"utf-8" (with or without a byte-order mark) or "latin-1".</param>
public sealed record TextShape(string EncodingName, char Delimiter)
{
    public Encoding Encoding => EncodingName == TextSniffer.Latin1Name ? Encoding.Latin1 : new UTF8Encoding(false);

    public string DelimiterName => Delimiter switch { '\t' => "tab", ';' => "semicolon", '|' => "pipe", _ => "comma" };
}

/// <summary>
/// Recognises a CSV's encoding and delimiter from its first bytes. Spreadsheet programs save "CSV" with a semicolon
/// where the decimal separator is a comma, marketplaces hand out tab-separated reports, and older Excel writes
/// Latin-1 (Windows-1252) rather than UTF-8: all are read without asking.
/// </summary>
public static class TextSniffer
{
    public const string Utf8Name = "utf-8";
    public const string Latin1Name = "latin-1";

    private static readonly char[] Candidates = [',', ';', '\t', '|'];

    public static TextShape Sniff(ReadOnlySpan<byte> head)
    {
        var encoding = DetectEncoding(head);
        var text = (encoding == Latin1Name ? Encoding.Latin1 : Encoding.UTF8).GetString(head);
        return new TextShape(encoding, DetectDelimiter(text));
    }

    /// <summary>
    /// UTF-8 when the bytes are valid UTF-8 (a BOM says so outright); otherwise Latin-1, which decodes every byte. A
    /// multi-byte character cut off by the end of <paramref name="head"/> does not count against UTF-8.
    /// </summary>
    public static string DetectEncoding(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return Utf8Name;
        }

        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        for (var cut = 0; cut < 4 && cut <= head.Length; cut++)
        {
            try
            {
                strict.GetCharCount(head[..(head.Length - cut)]);
                return Utf8Name;
            }
            catch (DecoderFallbackException)
            {
                // Try again without the last bytes: the sample may end inside a character.
            }
        }

        return Latin1Name;
    }

    /// <summary>
    /// The candidate that splits the header into the most fields and every following sampled line into the same
    /// number; quoted fields are skipped, so a comma inside "Smith, John" does not count.
    /// </summary>
    public static char DetectDelimiter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.TrimStart('\uFEFF').Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Take(20).ToList();
        if (lines.Count > 1 && !text.EndsWith('\n'))
        {
            // The sample's last line is probably cut short.
            lines.RemoveAt(lines.Count - 1);
        }

        if (lines.Count == 0)
        {
            return ',';
        }

        var best = ',';
        var bestScore = (Consistent: false, Fields: 1);
        foreach (var candidate in Candidates)
        {
            var header = Count(lines[0], candidate);
            if (header == 0)
            {
                continue;
            }

            var consistent = lines.Skip(1).All(l => Count(l, candidate) == header);
            var score = (consistent, header + 1);
            if (score.consistent && !bestScore.Consistent || score.consistent == bestScore.Consistent && score.Item2 > bestScore.Fields)
            {
                best = candidate;
                bestScore = (score.consistent, score.Item2);
            }
        }

        return best;
    }

    private static int Count(string line, char delimiter)
    {
        var count = 0;
        var quoted = false;
        foreach (var ch in line)
        {
            if (ch == '"')
            {
                quoted = !quoted;
            }
            else if (ch == delimiter && !quoted)
            {
                count++;
            }
        }

        return count;
    }
}
