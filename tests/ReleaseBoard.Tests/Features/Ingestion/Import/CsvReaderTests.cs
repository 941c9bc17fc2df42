using ReleaseBoard.Web.Features.Ingestion.Import;

namespace ReleaseBoard.Tests.Features.Ingestion.Import;

public class CsvReaderTests
{
    [Fact]
    public void Quoted_fields_keep_commas_quotes_and_line_breaks_and_rows_know_their_line()
    {
        var table = CsvReader.Parse(
            "\uFEFFtitle,description\r\n\"Refund, rounded\",\"He said \"\"no\"\"\nand left\"\r\nplain,\r\n"
        );

        Assert.Equal(["title", "description"], table.Header);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(["Refund, rounded", "He said \"no\"\nand left"], table.Rows[0].Fields);
        Assert.Equal(2, table.Rows[0].Line);
        Assert.Equal(["plain", ""], table.Rows[1].Fields);
        Assert.Equal(4, table.Rows[1].Line);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_a_last_line_without_newline_counts()
    {
        var table = CsvReader.Parse("a,b\n\n1,2");

        Assert.Equal(["1", "2"], Assert.Single(table.Rows).Fields);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a,b\n\"never closed,1\n")]
    public void An_empty_file_or_an_unclosed_quote_is_refused(string text) =>
        Assert.Throws<FormatException>(() => CsvReader.Parse(text));
}
