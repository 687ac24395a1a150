using System.IO.Compression;
using System.Text;
using SalesDash.Connectors.Datasets.OnlineRetail;

namespace SalesDash.Connectors.Tests.Datasets;

public sealed class OnlineRetailCsvTests
{
    private const string Header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

    private static Task<RetailReadResult> ReadText(string csv) =>
        OnlineRetailCsv.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Shipped_sample_reads_every_row_without_errors()
    {
        var result = await OnlineRetailCsv.ReadFileAsync(SharedFiles.RetailCsv, TestContext.Current.CancellationToken);

        Assert.Empty(result.Errors);
        Assert.Equal(30_000, result.Lines.Count);
        Assert.Equal(2_000, result.Lines.Count(l => l.CustomerId is null));
        Assert.Equal(620, result.Lines.Count(l => l.IsCancellation));

        var first = result.Lines[0];
        Assert.Equal(new RetailLine(2, "569901", "23256", "CHILDRENS CUTLERY SPACEBOY", 2, new DateTime(2011, 10, 6, 16, 20, 0), 4.15m, 12923, "United Kingdom"), first);
    }

    [Fact]
    public async Task Quoted_description_keeps_its_commas()
    {
        var result = await OnlineRetailCsv.ReadFileAsync(SharedFiles.RetailCsv, TestContext.Current.CancellationToken);

        var keyFob = Assert.Single(result.Lines, l => l.InvoiceNo == "540157" && l.StockCode == "21899");
        Assert.Equal("KEY FOB , GARAGE DESIGN", keyFob.Description);
        Assert.Equal(0.65m, keyFob.UnitPrice);
        Assert.Equal(15311, keyFob.CustomerId);
    }

    [Fact]
    public async Task Gzipped_demo_copy_reads_the_same_rows_as_the_plain_file()
    {
        var plain = await OnlineRetailCsv.ReadFileAsync(SharedFiles.RetailCsv, TestContext.Current.CancellationToken);
        var gzip = await OnlineRetailCsv.ReadFileAsync(SharedFiles.RetailCsvGz, TestContext.Current.CancellationToken);

        Assert.Empty(gzip.Errors);
        Assert.Equal(plain.Lines, gzip.Lines);
    }

    [Fact]
    public async Task Gzip_is_detected_on_a_stream_that_cannot_seek()
    {
        var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes($"{Header}\n536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"), TestContext.Current.CancellationToken);
        }

        var result = await OnlineRetailCsv.ReadAsync(new ForwardOnlyStream(compressed.ToArray()), TestContext.Current.CancellationToken);

        var line = Assert.Single(result.Lines);
        Assert.Equal(6, line.Quantity);
        Assert.Equal(2.55m, line.UnitPrice);
        Assert.Equal(17850, line.CustomerId);
    }

    [Fact]
    public async Task Bad_rows_are_reported_with_their_line_numbers_and_good_rows_kept()
    {
        var csv = string.Join('\n',
            Header,
            "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
            "536366,22633,HAND WARMER,six,2010-12-01 08:28:00,1.85,17850.0,United Kingdom",
            "536367,84879,ASSORTED BIRD,32,01/12/2010 08:34,1.69,13047.0,United Kingdom",
            "536368,22960,JAM MAKING SET,6,2010-12-01 08:34:00,4.25,13047.0",
            "536369,21756,BATH BUILDING BLOCK,3,2010-12-01 08:35:00,£5.95,13047.0,United Kingdom",
            "536370,22728,ALARM CLOCK,24,2010-12-01 08:45:00,3.75,12583.5,France",
            ",22727,ALARM CLOCK RED,24,2010-12-01 08:45:00,3.75,12583.0,France",
            "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom",
            "536381,82567,\"AIRLINE LOUNGE,METAL SIGN\",2,2010-12-01 09:41:00,2.1,,United Kingdom");

        var result = await ReadText(csv);

        Assert.Equal([3, 4, 5, 6, 7, 8], result.Errors.Select(e => e.LineNumber));
        Assert.Contains("Quantity 'six'", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("InvoiceDate", result.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("expected 8 fields but found 7", result.Errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("UnitPrice", result.Errors[3].Message, StringComparison.Ordinal);
        Assert.Contains("CustomerID '12583.5'", result.Errors[4].Message, StringComparison.Ordinal);
        Assert.Contains("InvoiceNo is empty", result.Errors[5].Message, StringComparison.Ordinal);

        Assert.Equal(["536365", "C536379", "536381"], result.Lines.Select(l => l.InvoiceNo));
        Assert.Equal([2, 9, 10], result.Lines.Select(l => l.LineNumber));
        Assert.True(result.Lines[1].IsCancellation);
        Assert.Equal(-1, result.Lines[1].Quantity);
        Assert.Null(result.Lines[2].CustomerId);
        Assert.Equal("AIRLINE LOUNGE,METAL SIGN", result.Lines[2].Description);
    }

    [Fact]
    public async Task Quoted_field_spanning_lines_and_escaped_quotes_keep_later_line_numbers_right()
    {
        var csv = $"{Header}\r\n" +
            "536365,85123A,\"12\"\" RULER, \r\nWOODEN\",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\r\n" +
            "536366,22633,HAND WARMER,x,2010-12-01 08:28:00,1.85,17850.0,United Kingdom\r\n";

        var result = await ReadText(csv);

        var line = Assert.Single(result.Lines);
        Assert.Equal("12\" RULER, \nWOODEN", line.Description);
        Assert.Equal(2, line.LineNumber);
        Assert.Equal(4, Assert.Single(result.Errors).LineNumber);
    }

    [Fact]
    public async Task Header_without_a_required_column_is_reported_on_line_one()
    {
        var result = await ReadText("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,CustomerID,Country\n536365,85123A,X,6,2010-12-01 08:26:00,17850.0,United Kingdom\n");

        Assert.Empty(result.Lines);
        var error = Assert.Single(result.Errors);
        Assert.Equal(1, error.LineNumber);
        Assert.Contains("UnitPrice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_file_is_an_error_not_an_empty_success()
    {
        var result = await ReadText(string.Empty);

        Assert.Empty(result.Lines);
        Assert.Equal(1, Assert.Single(result.Errors).LineNumber);
    }

    /// <summary>Like a network or decompression stream: no Seek, no Length.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream inner = new(data);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
