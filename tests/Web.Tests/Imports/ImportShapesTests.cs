using SalesDash.Web.Tests.History;

namespace SalesDash.Web.Tests.Imports;

/// <summary>
/// The same kind of orders written as each export merchants really have, uploaded through the API: every file goes in
/// without a rejected row (but the cancelled orders a layout marks, each reported) and the history shows, to the cent, what the generated orders add up to.
/// </summary>
public sealed class ImportShapesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Shapes => ["shopify", "online-retail", "woocommerce", "amazon", "generic", "mapped"];

    private static ShapedFile Shape(string name) => name switch
    {
        "shopify" => ExportShapes.Shopify(ExportShapes.Orders(1, 40)),
        "online-retail" => ExportShapes.OnlineRetail(ExportShapes.Orders(2, 40)),
        "woocommerce" => ExportShapes.WooCommerce(ExportShapes.Orders(3, 40)),
        "amazon" => ExportShapes.Amazon(ExportShapes.Orders(4, 40)),
        "generic" => ExportShapes.Generic(ExportShapes.Orders(5, 40)),
        "mapped" => ExportShapes.Mapped(ExportShapes.Orders(6, 40, maxDay: 12)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Each_export_shape_imports_whole_and_matches_the_oracle_to_the_cent(string shape)
    {
        var file = Shape(shape);
        await using var app = new HistoryApp("DuckDb");

        var import = await ImportClient.ImportAsync(app, "uk-shop", file.Bytes, file.Name, file.Fields, Ct);
        var october = (await ImportClient.OctoberAsync(app, "uk-shop", Ct)).Kpis;

        Assert.Equal(("Completed", file.Expected.Rejected, file.Expected.Events), (import.Status, import.ErrorCount, import.EventsAccepted));
        Assert.All(import.Errors, e => Assert.Contains("not a sale", e.Message, StringComparison.Ordinal));
        Assert.Equal((file.Expected.Gross, (decimal)file.Expected.Orders, file.Expected.Refunds),
            (october.GrossRevenue.Value, october.Orders.Value, october.Refunds.Value ?? 0m));
        if (file.Expected.Units is { } units)
        {
            Assert.Equal(units, (long?)october.UnitsSold.Value);
        }
    }
}
