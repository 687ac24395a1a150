using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Imports;
using SalesDash.Web.Tests.History;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Imports;

/// <summary>
/// Imports as jobs in the app database: a preview before anything is written, a mapping for files no layout knows,
/// dates the file cannot settle asked for, a job that took nothing failed with its reason, and a job that outlives
/// the node that took the upload.
/// </summary>
/// <remarks>
/// The tests that need no settings of their own share one app: each that imports rows has a store of its own (the usual
/// London store's currency and zone), so the totals one asserts hold only its own rows, and the London store takes none.
/// Stopping the job worker, a restart and a lease that runs out each keep their own host.
/// </remarks>
public sealed class ImportJobTests(ImportJobTests.SharedApp shared) : IClassFixture<ImportJobTests.SharedApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string> NoWorker = new() { ["Imports:RunJobs"] = "false" };

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task A_file_no_layout_knows_previews_as_needing_a_mapping_and_then_shows_what_its_rows_become()
    {
        var app = shared;
        var client = app.CreateSignedInClient();
        var file = Utf8("Wann;Beleg;Betrag;Kunde\n13.10.2026 09:30;B-1;12,50;NA\n14.10.2026 10:00;B-2;7,25;k@example.com\n14.10.2026 11:00;;1,00;x\n");

        using var bare = ImportClient.Form(file, "x.csv");
        var unknown = (await (await client.PostAsync("/api/tenants/acme/stores/uk-shop/imports/preview", bare, Ct)).Content.ReadFromJsonAsync<PreviewBody>(HistoryApp.Json, Ct))!;
        using var mapped = ImportClient.Form(file, "x.csv", new Dictionary<string, string>
        {
            ["mapping"] = """{"orderId":"Beleg","date":"Wann","total":"Betrag","customer":"Kunde"}""",
        });
        var preview = (await (await client.PostAsync("/api/tenants/acme/stores/uk-shop/imports/preview", mapped, Ct)).Content.ReadFromJsonAsync<PreviewBody>(HistoryApp.Json, Ct))!;

        Assert.Equal((true, "semicolon", "utf-8"), (unknown.NeedsMapping, unknown.Delimiter, unknown.Encoding));
        Assert.Equal(["Wann", "Beleg", "Betrag", "Kunde"], unknown.Header);
        Assert.Contains(unknown.Layouts, l => l.Name == "woocommerce-orders");
        Assert.All(unknown.Rows, r => Assert.Equal("rejected", r.Becomes));

        Assert.Equal((false, "custom", "day-first", "file"), (preview.NeedsMapping, preview.Layout, preview.DateOrder, preview.DateOrderFrom));
        Assert.Equal(
            [("order", "B-1", (decimal?)12.50m, (string?)null, new DateTime(2026, 10, 13, 9, 30, 0)), ("order", "B-2", 7.25m, "k@example.com", new DateTime(2026, 10, 14, 10, 0, 0))],
            preview.Rows.Take(2).Select(r => (r.Becomes, r.OrderId!, r.Amount, r.Customer, r.PlacedAt!.Value)));
        Assert.Equal("rejected", preview.Rows[2].Becomes);
        Assert.Contains("order id", preview.Rows[2].Problem, StringComparison.Ordinal);

        // A preview writes nothing.
        Assert.Equal(0, await app.Services.GetRequiredService<ImportJobs>().ActiveForAsync("acme", Ct));
        Assert.Equal(0m, (await ImportClient.OctoberAsync(app, "uk-shop", Ct)).Kpis.Orders.Value);
    }

    [Fact]
    public async Task Dates_the_file_cannot_settle_are_asked_for_and_the_answer_is_used()
    {
        var app = shared;
        var file = Utf8("date,order id,amount\n03/10/2026 09:00,A1,10.00\n04/10/2026 09:00,A2,20.00\n");

        using var form = ImportClient.Form(file, "sales.csv");
        var preview = (await (await app.CreateSignedInClient().PostAsync($"/api/tenants/acme/stores/{SharedApp.DatesStore}/imports/preview", form, Ct)).Content
            .ReadFromJsonAsync<PreviewBody>(HistoryApp.Json, Ct))!;
        var unanswered = await ImportClient.ImportAsync(app, SharedApp.DatesStore, file, "sales.csv", null, Ct);
        var answered = await ImportClient.ImportAsync(app, SharedApp.DatesStore, file, "sales.csv", new Dictionary<string, string> { ["dateOrder"] = "day-first" }, Ct);
        var october = (await ImportClient.OctoberAsync(app, SharedApp.DatesStore, Ct)).Kpis;

        Assert.True(preview.NeedsDateOrder);
        Assert.Equal(("Failed", 0), (unanswered.Status, unanswered.EventsAccepted));
        Assert.Contains("choose the date order", unanswered.Failure, StringComparison.Ordinal);
        Assert.Equal(("Completed", 2), (answered.Status, answered.EventsAccepted));
        Assert.Equal((30m, 2m), (october.GrossRevenue.Value, october.Orders.Value));
    }

    [Fact]
    public async Task A_job_that_accepted_nothing_fails_and_says_why()
    {
        var app = shared;
        var file = Utf8("date,order id,amount\nsoon,A1,10.00\n2026-10-02,A2,lots\n");

        var import = await ImportClient.ImportAsync(app, "uk-shop", file, "sales.csv", null, Ct);

        Assert.Equal(("Failed", 0, 2), (import.Status, import.EventsAccepted, import.ErrorCount));
        Assert.Contains("all 2 row(s) were rejected", import.Failure, StringComparison.Ordinal);
        Assert.Contains("line 2", import.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_customer_ids_in_any_usual_spelling_are_guests_and_extra_columns_are_ignored()
    {
        var app = shared;
        var file = Utf8("Order Date,Order ID,Total,Customer ID,Gift Note,Warehouse\n"
            + "2026-10-05 10:00,1,5.00,,hi,A\n2026-10-05 11:00,2,6.00,NA,,B\n2026-10-05 12:00,3,7.00,null,x,C\n2026-10-05 13:00,4,8.00,N/A,y,D\n"
            + "2026-10-06 13:00,5,9.00,c-9,z,E\n2026-10-07 13:00,6,1.00,c-9,z,E\n");

        var import = await ImportClient.ImportAsync(app, SharedApp.GuestsStore, file, "orders.csv", null, Ct);
        var october = (await ImportClient.OctoberAsync(app, SharedApp.GuestsStore, Ct)).Kpis;

        Assert.Equal(("Completed", 6, 0), (import.Status, import.EventsAccepted, import.ErrorCount));
        Assert.Equal((36m, 6m, 5m, 1m), (october.GrossRevenue.Value, october.Orders.Value, october.NewCustomers.Value, october.ReturningCustomers.Value));
    }

    [Fact]
    public async Task A_header_that_fits_no_layout_is_refused_before_anything_is_stored()
    {
        var app = shared;

        using var response = await ImportClient.UploadAsync(app, "uk-shop", Utf8("a,b,c\n1,2,3\n"), "x.csv", null, Ct);
        using var badMapping = await ImportClient.UploadAsync(app, "uk-shop", Utf8("a,b,c\n1,2,3\n"), "x.csv",
            new Dictionary<string, string> { ["mapping"] = """{"orderId":"a","date":"nope"}""" }, Ct);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (response.StatusCode, badMapping.StatusCode));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("map its columns to an order id, a date and an amount", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("'nope'", await badMapping.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, await app.Services.GetRequiredService<ImportJobs>().ActiveForAsync("acme", Ct));
    }

    [Fact]
    public async Task An_upload_waits_in_the_database_and_another_process_runs_it_after_a_restart()
    {
        var file = ExportShapes.Generic(ExportShapes.Orders(7, 12));
        await using var first = new HistoryApp("DuckDb", new Dictionary<string, string> { ["Imports:RunJobs"] = "false" });
        using var response = await ImportClient.UploadAsync(first, "uk-shop", file.Bytes, file.Name, null, Ct);
        var id = (await response.Content.ReadFromJsonAsync<ImportBody>(HistoryApp.Json, Ct))!.Id;
        Assert.Equal("Queued", (await first.CreateSignedInClient().GetFromJsonAsync<ImportBody>($"/api/tenants/acme/imports/{id}", HistoryApp.Json, Ct))!.Status);

        await using var second = await first.RestartAsync(o => o with { Settings = HistoryApp.FastHistory() });
        var import = await ImportClient.WaitAsync(second, id, Ct);
        var october = (await ImportClient.OctoberAsync(second, "uk-shop", Ct)).Kpis;

        Assert.Equal(("Completed", file.Expected.Events), (import.Status, import.EventsAccepted));
        Assert.Equal((file.Expected.Gross, (decimal)file.Expected.Orders), (october.GrossRevenue.Value, october.Orders.Value));
    }

    [Fact]
    public async Task A_job_runs_on_one_node_at_a_time_and_is_taken_over_when_its_lease_runs_out()
    {
        await using var app = new HistoryApp("DuckDb", NoWorker);
        using var response = await ImportClient.UploadAsync(app, "uk-shop", ExportShapes.Generic(ExportShapes.Orders(8, 3)).Bytes, "sales.csv", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobs = app.Services.GetRequiredService<ImportJobs>();
        var lease = TimeSpan.FromMinutes(2);

        var a = await jobs.TryClaimAsync("node-a", lease, Ct);
        var b = await jobs.TryClaimAsync("node-b", lease, Ct);
        app.Clock.Advance(lease + TimeSpan.FromSeconds(1));
        var bLater = await jobs.TryClaimAsync("node-b", lease, Ct);
        var aStillOwns = await jobs.ReportAsync(a!.Id, "node-a", new ImportCounters(3, 1, 1, 0, []), lease, Ct);

        Assert.Null(b);
        Assert.Equal(a.Id, bLater?.Id);
        Assert.False(aStillOwns);
    }

    /// <summary>
    /// The app of the tests without settings of their own, as <c>new HistoryApp("DuckDb")</c> starts it, with two more
    /// acme stores like the London one for the tests whose totals must hold only their own rows.
    /// </summary>
    public sealed class SharedApp() : SalesDashHost(new SalesDashHostOptions
    {
        History = "DuckDb",
        Settings = HistoryApp.FastHistory(),
        Stores = [.. TestStore.All.Select(s => s.Hosted), LikeLondon(DatesStore), LikeLondon(GuestsStore)],
    })
    {
        public const string DatesStore = "dates-shop";

        public const string GuestsStore = "guests-shop";

        private static HostedStore LikeLondon(string storeId) => TestStore.London.Hosted with
        {
            StoreId = storeId, Name = $"acme {storeId}", ShopDomain = $"acme-{storeId}.myshopify.com", WebhookSecret = $"{storeId}-secret-0123456789",
        };
    }

    private sealed record PreviewRowBody(int Line, string[] Cells, string Becomes, string? OrderId, DateTime? PlacedAt, decimal? Amount, string? Currency, string? Customer, string? Problem);

    private sealed record LayoutBody(string Name, string Title);

    private sealed record PreviewBody(
        string Encoding, string Delimiter, string[] Header, string? Layout, Dictionary<string, string> Mapping, string? DateOrder, string DateOrderFrom,
        bool NeedsMapping, bool NeedsDateOrder, string? Failure, PreviewRowBody[] Rows, LayoutBody[] Layouts);
}
