using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;
using SalesDash.Web.Reports;
using SalesDash.Web.Tests.Alerts;
using SalesDash.Web.Tests.Exports;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Reports;

/// <summary>
/// Reports people build: a custom range ("the sale"), several stores rolled up in the reporting currency at the stored
/// rates, chosen metrics, and each format (PDF, CSV, XLSX) read back and checked to the cent against figures worked out
/// here from the orders fed in; the history of sends; and a read-only share link that can be revoked.
/// </summary>
public sealed class ReportBuilderTests : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("salesdash-report-builder-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }

    /// <summary>The sale: 21 to 23 November 2026, London days; compared with the three days before (18 to 20).</summary>
    private static readonly DateOnly SaleFrom = new(2026, 11, 21);
    private static readonly DateOnly SaleTo = new(2026, 11, 23);

    private static readonly (string Store, string Currency, string Id, DateTimeOffset At, (string Sku, int Qty, decimal Price)[] Lines)[] Orders =
    [
        ("uk-shop", "GBP", "u-0", new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), [("MUG", 8, 12.5m)]),
        ("uk-shop", "GBP", "u-1", new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero), [("MUG", 2, 12.5m)]),
        ("uk-shop", "GBP", "u-2", new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero), [("TEE", 3, 24.99m)]),
        ("uk-shop", "GBP", "u-3", new(2026, 11, 23, 23, 30, 0, TimeSpan.Zero), [("CAP", 1, 18m)]),
        ("uk-shop", "GBP", "u-4", new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), [("CAP", 2, 20m)]),
        ("us-shop", "USD", "n-0", new(2026, 11, 19, 14, 0, 0, TimeSpan.Zero), [("HAT", 1, 10m)]),
        ("us-shop", "USD", "n-1", new(2026, 11, 21, 15, 0, 0, TimeSpan.Zero), [("HAT", 5, 10m)]),
        ("us-shop", "USD", "n-2", new(2026, 11, 22, 16, 0, 0, TimeSpan.Zero), [("BAG", 1, 33.33m)]),
        ("us-shop", "USD", "n-3", new(2026, 11, 23, 14, 0, 0, TimeSpan.Zero), [("PIN", 1, 19.99m)]),
    ];

    /// <summary>USD → GBP: 0.80 from 1 November, 0.75 from 22 November (so the sale's days convert at different rates).</summary>
    private static readonly ExchangeRate[] Rates =
    [
        new("USD", "GBP", new DateOnly(2026, 11, 1), 0.80m, "test"),
        new("USD", "GBP", new DateOnly(2026, 11, 22), 0.75m, "test"),
    ];

    private static decimal Rate(string currency, DateOnly day) =>
        currency == "GBP" ? 1m : Rates.Where(r => r.Date <= day).OrderBy(r => r.Date).Last().Rate;

    /// <summary>The oracle: each store's London-day revenue converted at that day's rate, rounded to the cent, then added.</summary>
    private static decimal RolledUpRevenue(DateOnly from, DateOnly to) =>
        Orders.Select(o => (o.Store, o.Currency, Day: DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(o.At, London).DateTime), Total: o.Lines.Sum(l => l.Qty * l.Price)))
            .Where(o => o.Day >= from && o.Day <= to)
            .GroupBy(o => (o.Store, o.Currency, o.Day))
            .Sum(g => Math.Round(g.Sum(o => o.Total) * Rate(g.Key.Currency, g.Key.Day), 2, MidpointRounding.AwayFromZero));

    private static decimal StoreRevenue(string store, DateOnly from, DateOnly to) =>
        Orders.Where(o => o.Store == store && DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(o.At, London).DateTime) is var d && d >= from && d <= to)
            .Sum(o => o.Lines.Sum(l => l.Qty * l.Price));

    private static int OrderCount(DateOnly from, DateOnly to) =>
        Orders.Count(o => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(o.At, London).DateTime) is var d && d >= from && d <= to);

    [Fact]
    public async Task A_custom_range_rolled_up_in_the_reporting_currency_reads_the_same_figures_in_pdf_csv_and_xlsx()
    {
        await using var app = new ReportsApp(dataDirectory, "127.0.0.1:9");
        await FeedAsync(app);
        var client = app.CreateSignedInClient(OrgRole.Analyst, "acme");
        var report = await CreateAsync(client, new ReportInput("Black Friday sale", ["uk-shop", "us-shop"], "custom", null, "Europe/London", ["sale@example.test"],
            new ReportSections(KpiSummary: true, Trend: true, TopProducts: true, ChannelBreakdown: false), From: "2026-11-21", To: "2026-11-23",
            Metrics: ["grossRevenue", "orders", "averageOrderValue"], Format: "xlsx", RollUp: true));
        Assert.Equal(("custom", "2026-11-21", "2026-11-23", "xlsx", true), (report.Period, report.From, report.To, report.Format, report.RollUp));
        // A fixed range is sent on request, never by the schedule.
        Assert.Null(report.NextSendAt);

        var gross = RolledUpRevenue(SaleFrom, SaleTo);
        var before = RolledUpRevenue(new DateOnly(2026, 11, 18), new DateOnly(2026, 11, 20));
        var orders = OrderCount(SaleFrom, SaleTo);
        var aov = Math.Round(gross / orders, 2, MidpointRounding.AwayFromZero);
        // 25 + 74.97 + 18 GBP, and 50 × 0.80 + 33.33 × 0.75 (24.9975 → 25.00) + 19.99 × 0.75 (14.9925 → 14.99) USD in GBP.
        Assert.Equal(197.96m, gross);
        Assert.Equal(108.00m, before);

        // CSV: a table per part and section; the roll-up's summary holds only the chosen metrics.
        var csv = ExportFiles.ParseCsv(await DownloadAsync(client, report.Id, "csv", "text/csv"));
        var all = Table(csv, "ALL summary");
        Assert.Equal(["Gross revenue", "Orders", "Average order value"], all.Select(r => r["Metric"]));
        Assert.Equal((gross, before, "GBP"), (ExportFiles.Dec(all[0]["Value"]), ExportFiles.Dec(all[0]["Previous"]), all[0]["Unit"]));
        Assert.Equal((orders, aov), ((int)ExportFiles.Dec(all[1]["Value"]), ExportFiles.Dec(all[2]["Value"])));
        var us = Table(csv, "us-shop summary");
        Assert.Equal((StoreRevenue("us-shop", SaleFrom, SaleTo), "USD"), (ExportFiles.Dec(us[0]["Value"]), us[0]["Unit"]));
        var trend = Table(csv, "ALL trend");
        Assert.Equal([40m + 25m, 74.97m + 25.00m, 18m + 14.99m], trend.Select(r => ExportFiles.Dec(r["Gross revenue (GBP)"])));
        Assert.Contains(Table(csv, "uk-shop top products"), r => r["Key"] == "TEE" && ExportFiles.Dec(r["Gross revenue (GBP)"]) == 74.97m);

        // XLSX (the report's own format when none is asked): the same figures as typed cells.
        using (var workbook = new XLWorkbook(new MemoryStream(await DownloadAsync(client, report.Id, null, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
        {
            var sheet = ExportFiles.SheetRecords(workbook.Worksheet("ALL summary"));
            Assert.Equal(["Gross revenue", "Orders", "Average order value"], sheet.Select(r => r["Metric"].GetString()));
            Assert.Equal((gross, before, orders, aov), (sheet[0]["Value"].GetValue<decimal>(), sheet[0]["Previous"].GetValue<decimal>(),
                (int)sheet[1]["Value"].GetValue<decimal>(), sheet[2]["Value"].GetValue<decimal>()));
            Assert.Equal(StoreRevenue("uk-shop", SaleFrom, SaleTo), ExportFiles.SheetRecords(workbook.Worksheet("uk-shop summary"))[0]["Value"].GetValue<decimal>());
        }

        // PDF: the printed page's text.
        var text = await ReportsTests.PdfTextAsync(await DownloadAsync(client, report.Id, "pdf", "application/pdf"));
        Assert.Contains("Report for 2026-11-21 to 2026-11-23", text, StringComparison.Ordinal);
        Assert.Contains("All stores in GBP", text, StringComparison.Ordinal);
        Assert.Contains(ReportHtml.Money(gross, "GBP"), text, StringComparison.Ordinal);
        Assert.Contains(ReportHtml.Money(before, "GBP"), text, StringComparison.Ordinal);
        Assert.Contains(ReportHtml.Money(aov, "GBP"), text, StringComparison.Ordinal);
        Assert.Contains(ReportHtml.Money(StoreRevenue("us-shop", SaleFrom, SaleTo), "USD"), text, StringComparison.Ordinal);
        Assert.DoesNotContain("Units sold", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_now_mails_the_report_in_its_format_and_the_history_says_when_to_whom_which_period_and_how_it_went()
    {
        var (host, port, maildir) = SmtpServer.Require();
        await using var app = new ReportsApp(dataDirectory, $"{host}:{port}");
        await FeedAsync(app);
        var client = app.CreateSignedInClient(OrgRole.Analyst, "acme");
        var marker = $"csv-{Guid.NewGuid():N}@example.test";
        var report = await CreateAsync(client, new ReportInput("Sale in CSV", ["uk-shop", "us-shop"], "custom", null, "Europe/London", [marker],
            new ReportSections(true, false, false, false), From: "2026-11-21", To: "2026-11-23", Format: "csv", RollUp: true));

        using var run = await client.PostAsync($"/api/tenants/acme/reports/{report.Id}/run", null, Ct);
        var send = (await run.Content.ReadFromJsonAsync<ReportSend>(Json, Ct))!;
        Assert.True(send.Status == ReportSendStatus.Sent, send.Error);

        var mail = Assert.Single(SmtpServer.MessagesContaining(maildir, marker));
        var attachment = Assert.Single(mail.Attachments.OfType<MimePart>());
        Assert.Equal("text/csv", attachment.ContentType.MimeType);
        using var attached = new MemoryStream();
        await attachment.Content!.DecodeToAsync(attached, Ct);
        var all = Table(ExportFiles.ParseCsv(attached.ToArray()), "ALL summary");
        Assert.Equal(RolledUpRevenue(SaleFrom, SaleTo), ExportFiles.Dec(all.Single(r => r["Metric"] == "Gross revenue")["Value"]));

        // A store's rate missing: the send fails with why, and the history keeps both (a minute later, so newest first is certain).
        var firstAt = app.Clock.GetUtcNow();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
            await db.Organisations.Where(o => o.Id == "acme").ExecuteUpdateAsync(o => o.SetProperty(x => x.ReportingCurrency, "JPY"), Ct);
        }

        using var failedRun = await client.PostAsync($"/api/tenants/acme/reports/{report.Id}/run", null, Ct);
        var failed = (await failedRun.Content.ReadFromJsonAsync<ReportSend>(Json, Ct))!;
        Assert.Equal(ReportSendStatus.Failed, failed.Status);
        Assert.Contains("No exchange rate from GBP to JPY", failed.Error, StringComparison.Ordinal);

        var history = (await client.GetFromJsonAsync<ReportSend[]>($"/api/tenants/acme/reports/{report.Id}/sends", Json, Ct))!;
        Assert.Equal([(failed.Id, ReportSendStatus.Failed), (send.Id, ReportSendStatus.Sent)], history.Select(s => (s.Id, s.Status)));
        Assert.All(history, s => Assert.Equal((SaleFrom, SaleTo, ReportFormat.Csv, "manual"), (s.PeriodFrom, s.PeriodTo, s.Format, s.Trigger)));
        Assert.All(history, s => Assert.Equal([marker], s.Recipients));
        Assert.Equal((app.Clock.GetUtcNow(), firstAt), (history[0].StartedAt, history[1].StartedAt));
        using var file = await client.GetAsync($"/api/tenants/acme/reports/{report.Id}/sends/{send.Id}/file", Ct);
        Assert.Equal("text/csv", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal(attached.ToArray(), await file.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task A_share_link_opens_the_report_read_only_and_answers_410_once_revoked()
    {
        await using var app = new ReportsApp(dataDirectory, "127.0.0.1:9");
        await FeedAsync(app);
        var client = app.CreateSignedInClient(OrgRole.Analyst, "acme");
        var report = await CreateAsync(client, new ReportInput("Shared sale", ["uk-shop"], "custom", null, null, ["x@example.test"],
            From: "2026-11-21", To: "2026-11-23"));

        using var shared = await client.PostAsync($"/api/tenants/acme/reports/{report.Id}/share", null, Ct);
        Assert.Equal(HttpStatusCode.Created, shared.StatusCode);
        var link = (await shared.Content.ReadFromJsonAsync<ReportShareCreated>(Json, Ct))!;
        Assert.EndsWith($"/api/shared/reports/{link.Token}", link.Url, StringComparison.Ordinal);

        // Anyone with the link, signed in or not, reads the page; nothing on it changes anything.
        var anonymous = app.CreateClient();
        using var page = await anonymous.GetAsync($"/api/shared/reports/{link.Token}", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains(ReportHtml.Money(StoreRevenue("uk-shop", SaleFrom, SaleTo), "GBP"), html, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        using var csv = await anonymous.GetAsync($"/api/shared/reports/{link.Token}?format=csv", Ct);
        Assert.Equal(StoreRevenue("uk-shop", SaleFrom, SaleTo),
            ExportFiles.Dec(Table(ExportFiles.ParseCsv(await csv.Content.ReadAsByteArrayAsync(Ct)), "uk-shop summary")[0]["Value"]));
        using (var write = await anonymous.DeleteAsync($"/api/shared/reports/{link.Token}", Ct))
        {
            Assert.False(write.IsSuccessStatusCode);
        }

        using (var stillThere = await anonymous.GetAsync($"/api/shared/reports/{link.Token}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        }

        // A wrong secret for the same report opens nothing.
        using (var guessed = await anonymous.GetAsync($"/api/shared/reports/{link.Token[..^4]}AAAA", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, guessed.StatusCode);
        }

        // The listing shows the link but never its secret.
        var view = (await client.GetFromJsonAsync<ReportView>($"/api/tenants/acme/reports/{report.Id}", Json, Ct))!;
        Assert.Equal((link.Id, (DateTimeOffset?)null), (view.Share!.Id, view.Share.RevokedAt));

        using (var revoke = await client.DeleteAsync($"/api/tenants/acme/reports/{report.Id}/share", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using var gone = await anonymous.GetAsync($"/api/shared/reports/{link.Token}", Ct);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Share link revoked", (await gone.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("title").GetString());

        // A new link works; the revoked one stays dead.
        using var again = await client.PostAsync($"/api/tenants/acme/reports/{report.Id}/share", null, Ct);
        var second = (await again.Content.ReadFromJsonAsync<ReportShareCreated>(Json, Ct))!;
        using var reopened = await anonymous.GetAsync($"/api/shared/reports/{second.Token}", Ct);
        Assert.Equal(HttpStatusCode.OK, reopened.StatusCode);
        using var old = await anonymous.GetAsync($"/api/shared/reports/{link.Token}", Ct);
        Assert.NotEqual(HttpStatusCode.OK, old.StatusCode);
    }

    [Fact]
    public async Task A_custom_range_without_dates_unknown_metrics_or_formats_are_refused_with_what_is_wrong()
    {
        await using var app = new ReportsApp(dataDirectory, "127.0.0.1:9");
        using var response = await app.CreateSignedInClient(OrgRole.Analyst, "acme").PostAsJsonAsync("/api/tenants/acme/reports",
            new ReportInput("Sale", ["uk-shop"], "custom", null, null, ["a@example.test"], From: "21/11/2026", Metrics: ["profit"], Format: "docx"), Json, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("errors");
        Assert.Equal(["format", "from", "metrics", "to"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        using var backwards = await app.CreateSignedInClient(OrgRole.Analyst, "acme").PostAsJsonAsync("/api/tenants/acme/reports",
            new ReportInput("Sale", ["uk-shop"], "custom", null, null, ["a@example.test"], From: "2026-11-23", To: "2026-11-21"), Json, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.True((await backwards.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("errors").TryGetProperty("to", out _));
    }

    /// <summary>The rows of the named table of a multi-table CSV, as header → field maps.</summary>
    private static List<Dictionary<string, string>> Table(List<List<string>> rows, string name)
    {
        var start = rows.FindIndex(r => r.Count == 1 && r[0] == name);
        Assert.True(start >= 0, $"no table '{name}' in the CSV");
        var header = rows[start + 1];
        return [.. rows.Skip(start + 2).TakeWhile(r => !(r.Count == 1 && r[0].Length == 0))
            .Select(r => header.Select((h, i) => (h, v: i < r.Count ? r[i] : string.Empty)).ToDictionary(p => p.h, p => p.v))];
    }

    private static async Task<byte[]> DownloadAsync(HttpClient client, string reportId, string? format, string mediaType)
    {
        using var response = await client.GetAsync($"/api/tenants/acme/exports/reports/{reportId}{(format is null ? string.Empty : $"?format={format}")}", Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync(Ct);
    }

    private static async Task<ReportView> CreateAsync(HttpClient client, ReportInput input)
    {
        using var response = await client.PostAsJsonAsync("/api/tenants/acme/reports", input, Json, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<ReportView>(Json, Ct))!;
    }

    private static async Task FeedAsync(ReportsApp app)
    {
        foreach (var rate in Rates)
        {
            await app.Services.GetRequiredService<IExchangeRates>().UpsertAsync(rate, Ct);
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
            await db.Organisations.Where(o => o.Id == "acme").ExecuteUpdateAsync(o => o.SetProperty(x => x.ReportingCurrency, "GBP"), Ct);
        }

        var batch = new HistoryBatch();
        foreach (var (store, currency, id, at, lines) in Orders)
        {
            batch.Add(new OrderPlaced
            {
                Store = new StoreRef("acme", store),
                Channel = SalesChannel.Shopify,
                EventId = id,
                OccurredAt = at,
                StoreTimeZone = store == "uk-shop" ? "Europe/London" : "America/New_York",
                Currency = currency,
                OrderId = id,
                PlacedAt = at,
                Version = at,
                TotalPrice = lines.Sum(l => l.Qty * l.Price),
                Lines = [.. lines.Select(l => new OrderLine(l.Sku, $"Title of {l.Sku}", l.Qty, l.Price))],
                CountryCode = store == "uk-shop" ? "GB" : "US",
            });
        }

        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, Ct);
    }
}
