using System.Text;

namespace SalesDash.Web.Imports;

/// <summary>One CSV record and the physical line it starts on (the header is line 1).</summary>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>RFC 4180 reading: the delimiter (a comma unless told) separates, double quotes enclose (line breaks included), "" is a literal quote.</summary>
internal static class Csv
{
    public static IAsyncEnumerable<CsvRecord> ReadAsync(TextReader reader, CancellationToken cancellationToken) => ReadAsync(reader, ',', cancellationToken);

    public static async IAsyncEnumerable<CsvRecord> ReadAsync(TextReader reader, char delimiter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var line = 0;
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var start = 1;
        string? text;
        while ((text = await reader.ReadLineAsync(cancellationToken)) is not null)
        {
            line++;
            if (!inQuotes)
            {
                start = line;
                if (text.Length == 0)
                {
                    continue;
                }
            }
            else
            {
                field.Append('\n');
            }

            for (var i = 0; i < text.Length; i++)
            {
                var ch = text[i];
                if (inQuotes)
                {
                    if (ch != '"')
                    {
                        field.Append(ch);
                    }
                    else if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else if (ch == '"' && field.Length == 0)
                {
                    // Only a quote that opens a field encloses it; one inside an unquoted field (Lid "classic") is text.
                    inQuotes = true;
                }
                else if (ch == delimiter)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (ch != '\r')
                {
                    field.Append(ch);
                }
            }

            if (!inQuotes)
            {
                fields.Add(field.ToString());
                field.Clear();
                yield return new CsvRecord(start, fields.ToArray());
                fields.Clear();
            }
        }

        if (inQuotes)
        {
            // An unclosed quote swallows the rest of the file; hand back what there is so the caller reports its line.
            fields.Add(field.ToString());
            yield return new CsvRecord(start, [.. fields, "\u0000unclosed"]);
        }
    }

    /// <summary>True when the record ended inside an open quote (see <see cref="ReadAsync"/>).</summary>
    public static bool IsUnclosed(CsvRecord record) => record.Fields.Count > 0 && record.Fields[^1] == "\u0000unclosed";
}
