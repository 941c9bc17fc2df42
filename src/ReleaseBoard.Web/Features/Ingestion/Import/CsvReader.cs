using System.Text;

namespace ReleaseBoard.Web.Features.Ingestion.Import;

/// <summary>
/// RFC 4180 CSV: comma-separated, fields in double quotes may hold commas, quotes ("") and line breaks; the first
/// line names the columns. Small on purpose: imports are thousands of rows, not gigabytes.
/// </summary>
public static class CsvReader
{
    public sealed record CsvTable(IReadOnlyList<string> Header, IReadOnlyList<CsvRow> Rows);

    /// <param name="Line">The 1-based line the row starts on in the file (the header is line 1).</param>
    public sealed record CsvRow(int Line, IReadOnlyList<string> Fields);

    public static CsvTable Parse(string text)
    {
        var records = new List<(int Line, List<string> Fields)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var line = 1;
        var recordLine = 1;
        var fieldStarted = false;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                    inQuotes = false;
                else
                {
                    if (c == '\n')
                        line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0 && !fieldStarted:
                    inQuotes = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    if (fields.Count > 1 || fields[0].Length > 0)
                        records.Add((recordLine, fields));
                    fields = [];
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }
        if (inQuotes)
            throw new FormatException($"A quoted field that starts on line {recordLine} never ends.");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields));
        }
        if (records.Count == 0)
            throw new FormatException("The file is empty: the first line names the columns.");

        var header = records[0].Fields.Select(h => h.Trim().TrimStart('\uFEFF')).ToList();
        return new CsvTable(header, records.Skip(1).Select(r => new CsvRow(r.Line, r.Fields)).ToList());
    }
}
