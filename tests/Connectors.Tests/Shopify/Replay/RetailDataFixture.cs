using SalesDash.Connectors.Datasets.OnlineRetail;

namespace SalesDash.Connectors.Tests.Shopify.Replay;

/// <summary>The shipped 30k-line sample, read once per test class.</summary>
public sealed class RetailDataFixture : IAsyncLifetime
{
    public IReadOnlyList<RetailLine> Lines { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var result = await OnlineRetailCsv.ReadFileAsync(SharedFiles.RetailCsv, TestContext.Current.CancellationToken);
        Assert.Empty(result.Errors);
        Lines = result.Lines;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The raw lines a demo date folds in, worked out here rather than by the code under test.</summary>
    public List<RetailLine> LinesFoldedOnto(DateOnly date)
    {
        var days = Lines.Select(l => DateOnly.FromDateTime(l.InvoiceDate)).Distinct().Order().ToList();
        var wanted = days.Where((_, i) => i % 8 == date.DayNumber % 8).ToHashSet();
        return [.. Lines.Where(l => wanted.Contains(DateOnly.FromDateTime(l.InvoiceDate)))];
    }
}
