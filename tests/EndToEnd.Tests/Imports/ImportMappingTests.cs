using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.History;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Imports;

/// <summary>A merchant uploads a spreadsheet no layout knows: maps its columns, checks the preview, imports it.</summary>
[Collection(HistoryAppCollection.Name)]
public sealed class ImportMappingTests(ChromiumBrowser chromium, HistoryPageApp app)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_file_of_unknown_columns_is_mapped_previewed_and_imported()
    {
        var today = DateTime.UtcNow.Date;
        string Day(int daysAgo) => today.AddDays(-daysAgo).AddHours(10).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var csv = "Wann;Beleg;Betrag;Kunde;Bemerkung\n"
            + $"{Day(3)};B-1;12,50;k1@example.com;danke\n"
            + $"{Day(3)};;3,00;NA;ohne Beleg\n"
            + $"{Day(2)};B-2;1.234,56;NA;\n"
            + $"{Day(2)};B-3;7,25;k1@example.com;wieder\n";
        var file = new FilePayload { Name = "kasse.csv", MimeType = "text/csv", Buffer = Encoding.Latin1.GetBytes(csv) };

        var page = await chromium.NewPageAsync();
        try
        {
            await page.SignInAsync(app);
            await page.GotoAsync(new Uri(app.BaseAddress, $"stores/{HistoryPageApp.MappingShop.TenantId}/{HistoryPageApp.MappingShop.StoreId}/import").ToString());
            await page.GetByLabel("CSV file").SetInputFilesAsync(file);

            // No layout fits: the page asks which column is what, and will not import until it knows.
            var mapping = page.GetByTestId("import-mapping");
            await Assertions.Expect(mapping).ToBeVisibleAsync(new() { Timeout = Ms(Timeout) });
            await Assertions.Expect(page.GetByTestId("import-detected")).ToContainTextAsync("semicolon-separated");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true })).ToBeDisabledAsync();
            await mapping.Locator("select[data-field=orderId]").SelectOptionAsync("Beleg");
            await mapping.Locator("select[data-field=date]").SelectOptionAsync("Wann");
            await mapping.Locator("select[data-field=total]").SelectOptionAsync("Betrag");
            await mapping.Locator("select[data-field=customer]").SelectOptionAsync("Kunde");

            // The preview: what each row becomes, before anything is written.
            await Assertions.Expect(page.GetByTestId("import-preview-summary")).ToContainTextAsync("3 become orders, 0 refunds, 1 are refused", new() { Timeout = Ms(Timeout) });
            var rows = page.GetByTestId("import-preview-rows");
            await Assertions.Expect(rows.Locator("tr[data-becomes=order]")).ToHaveCountAsync(3);
            await Assertions.Expect(rows.Locator("tr[data-becomes=rejected]")).ToContainTextAsync("order id");
            await Assertions.Expect(rows.Locator("tr[data-becomes=order]").Nth(1)).ToContainTextAsync("1,234.56");

            await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("import-status")).ToHaveAttributeAsync("data-status", "Completed", new() { Timeout = Ms(Timeout) });
            await Assertions.Expect(page.GetByTestId("import-summary")).ToContainTextAsync("Imported 3 orders and refunds");
            await Assertions.Expect(page.GetByTestId("import-error-line").First).ToHaveTextAsync("3");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;
}
