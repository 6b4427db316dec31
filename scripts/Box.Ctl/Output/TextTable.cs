namespace Box.Ctl.Output;

/// <summary>A plain left-aligned text table with a header row.</summary>
public sealed class TextTable(params string[] headers)
{
    readonly List<string[]> _rows = [];

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
            throw new ArgumentException($"row has {cells.Length} cells, table has {headers.Length} columns");
        _rows.Add(cells);
    }

    public void WriteTo(TextWriter output)
    {
        int[] widths = new int[headers.Length];
        foreach (var row in _rows.Prepend(headers))
            for (int i = 0; i < row.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        foreach (var row in _rows.Prepend(headers))
        {
            var cells = row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
