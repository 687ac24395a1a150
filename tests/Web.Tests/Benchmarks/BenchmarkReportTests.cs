using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion;
using SalesDash.Web.Benchmarks;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Benchmarks;

/// <summary>
/// The public benchmark report: an orders export (Shopify's layout, in euros) written by this test is uploaded with no
/// one signed in, and the figures come back equal to what the test computes from the rows it wrote, beside the
/// quartiles of the seeded organisations' cohort (five or more, else the wider one); the PDF's text says the same. The
/// tool refuses too many reports per address (429), too large a file (413) and files that give no figures (422), all
/// problem+json, and keeps nothing: no event ingested, no app row, no file holding the upload.
/// </summary>
/// <remarks>
/// Four hosts for seven tests instead of seven: the reports against published cohorts read the organisations
/// <see cref="PeerSeededApp"/> seeded once; the tests that need no peers published share <see cref="QuietApp"/>, where
/// nothing is seeded and each upload keeps nothing; the limits (413, 429) each need a host configured for them.
/// </remarks>
[Collection(PeerSeededCollection.Name)]
public sealed class BenchmarkReportTests(PeerSeededApp seeded, BenchmarkReportTests.QuietApp quiet) : IClassFixture<BenchmarkReportTests.QuietApp>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly BenchmarkMetric[] FromFile =
    [
        BenchmarkMetric.AverageOrderValue, BenchmarkMetric.RepeatRate, BenchmarkMetric.RefundRate, BenchmarkMetric.RevenueGrowthWoW, BenchmarkMetric.RevenueGrowthMoM,
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_uploaded_export_is_measured_as_the_file_says_and_set_against_the_quartiles_of_its_industrys_cohort()
    {
        var orgs = seeded.Orgs;
        await seeded.Services.GetRequiredService<PeerBenchmarkJob>().RunOnceAsync(Ct);
        var file = OrdersFile.Make(new Random(7), PeerSeed.End.AddDays(-3), days: 70);
        using var anonymous = seeded.CreateClient();

        var report = await ReportAsync(anonymous, file, "apparel");

        Assert.Equal(("apparel", "under-10k", "shopify-orders", file.Orders.Count), (report.Industry, report.Band, report.Layout, report.Orders));
        Assert.Equal((file.LastDay.AddDays(-27), file.LastDay), (report.From, report.To));
        var small = orgs.Where(o => o.Industry == "apparel" && !o.Big).ToList();
        foreach (var metric in FromFile)
        {
            var row = report.Metrics.Single(m => m.Metric == metric.ToString());
            Assert.Equal(file.Expected(metric), row.You);
            AssertQuartiles(row, small, new CohortView("IndustryAndBand", "apparel", "under-10k", 5), metric);
        }

        // Conversion and ROAS need sessions and ad spend, which an orders export does not have.
        foreach (var metric in new[] { BenchmarkMetric.ConversionRate, BenchmarkMetric.Roas })
        {
            var row = report.Metrics.Single(m => m.Metric == metric.ToString());
            Assert.Equal((null, UploadFigures.NotInFile), (row.You, row.Note));
        }

        // One pet shop is no cohort: the report falls back to every organisation's quartiles, and says how many.
        var pets = await ReportAsync(anonymous, file, "pets");
        var aov = pets.Metrics.Single(m => m.Metric == nameof(BenchmarkMetric.AverageOrderValue));
        AssertQuartiles(aov, orgs, new CohortView("All", "*", "*", orgs.Count), BenchmarkMetric.AverageOrderValue);
    }

    [Fact]
    public async Task A_file_shorter_than_two_weeks_has_no_growth_figures_and_says_why()
    {
        var file = OrdersFile.Make(new Random(3), PeerSeed.End.AddDays(-1), days: 10);
        await PeerSeed.RateAsync(quiet, Ct);
        using var anonymous = quiet.CreateClient();

        var report = await ReportAsync(anonymous, file, "beauty");

        var wow = report.Metrics.Single(m => m.Metric == nameof(BenchmarkMetric.RevenueGrowthWoW));
        var mom = report.Metrics.Single(m => m.Metric == nameof(BenchmarkMetric.RevenueGrowthMoM));
        Assert.Equal((null, null), (wow.You, mom.You));
        Assert.Contains("fewer than 14 days", wow.Note, StringComparison.Ordinal);
        Assert.Contains("fewer than 56 days", mom.Note, StringComparison.Ordinal);
        Assert.Equal(file.Expected(BenchmarkMetric.AverageOrderValue), report.Metrics.Single(m => m.Metric == nameof(BenchmarkMetric.AverageOrderValue)).You);

        // No peers published yet: every metric says so rather than showing a cohort of fewer than five.
        Assert.All(report.Metrics, m => Assert.Equal((null, null), (m.Cohort, m.P50)));
    }

    [Fact]
    public async Task The_pdf_holds_the_same_figures_and_quartiles_as_the_web_report()
    {
        var orgs = seeded.Orgs;
        await seeded.Services.GetRequiredService<PeerBenchmarkJob>().RunOnceAsync(Ct);
        var file = OrdersFile.Make(new Random(11), PeerSeed.End.AddDays(-2), days: 60);
        using var anonymous = seeded.CreateClient();

        using var response = await anonymous.PostAsync("/api/public/benchmark-report/pdf", file.Form("apparel"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var text = await PdfTextAsync(await response.Content.ReadAsByteArrayAsync(Ct));
        var small = orgs.Where(o => o.Industry == "apparel" && !o.Big).Select(o => o.Expected(BenchmarkMetric.AverageOrderValue)!.Value).ToList();
        Assert.Contains("USD " + file.Expected(BenchmarkMetric.AverageOrderValue)!.Value.ToString("N2", CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Contains("USD " + PeerSeed.Quartile(small, 2).ToString("N2", CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Contains((file.Expected(BenchmarkMetric.RepeatRate)!.Value * 100m).ToString("0.0", CultureInfo.InvariantCulture) + "%", text, StringComparison.Ordinal);
        // The cohort's words open their cell, so the first of them stay on one line however the column wraps.
        Assert.Contains("5 apparel shops", text, StringComparison.Ordinal);
        Assert.Contains("Not in your file", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_of_the_upload_is_kept_no_event_no_app_row_no_file()
    {
        var file = OrdersFile.Make(new Random(5), PeerSeed.End.AddDays(-1), days: 30);
        using var anonymous = quiet.CreateClient();
        await quiet.Services.GetRequiredService<IHistoryStore>().InitializeAsync(Ct);
        await PeerSeed.RateAsync(quiet, Ct);
        var rowsBefore = await CountAppRowsAsync();
        var since = DateTime.UtcNow.AddSeconds(-1);
        var ingestedBefore = quiet.Ingested.Count;

        await ReportAsync(anonymous, file, "apparel");
        using var pdf = await anonymous.PostAsync("/api/public/benchmark-report/pdf", file.Form("apparel"), Ct);
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);

        Assert.Empty(quiet.Ingested.Skip(ingestedBefore));
        Assert.Equal(rowsBefore, await CountAppRowsAsync());
        var scope = HistoryScope.Store("benchmark-report", "upload");
        Assert.Empty(await quiet.Services.GetRequiredService<IHistoryStore>().RecentOrdersAsync(scope, new HistoryRange(PeerSeed.End.AddDays(-60), PeerSeed.End), 10, Ct));
        // No file anywhere the app writes (its data folder, the temp folder) holds the upload: its order ids are unique to this test.
        var marker = Encoding.UTF8.GetBytes(file.Marker);
        var written = new[] { quiet.DataDirectory, Path.GetTempPath() }
            .SelectMany(d => Directory.EnumerateFiles(d, "*", new EnumerationOptions { RecurseSubdirectories = d == quiet.DataDirectory, IgnoreInaccessible = true }))
            // Only files with bytes: the temp folder also holds FIFOs (the runtime's clr-debug-pipe-*), whose stat size is 0
            // and whose reading would wait for a writer forever.
            .Where(f => File.GetLastWriteTimeUtc(f) >= since && new FileInfo(f).Length is > 0 and < 64 * 1024 * 1024)
            .Where(f => Holds(f, marker));
        Assert.Empty(written);
    }

    [Fact]
    public async Task Files_that_give_no_figures_are_refused_with_a_problem_that_names_why()
    {
        using var anonymous = quiet.CreateClient();
        var file = OrdersFile.Make(new Random(9), PeerSeed.End.AddDays(-1), days: 20);
        await PeerSeed.RateAsync(quiet, Ct);

        await AssertProblemAsync(await anonymous.PostAsync("/api/public/benchmark-report", file.Form("widgets"), Ct),
            HttpStatusCode.BadRequest, "'widgets' is not an industry");
        await AssertProblemAsync(await anonymous.PostAsync("/api/public/benchmark-report", Form("colour,size\nred,10\n", "apparel"), Ct),
            HttpStatusCode.UnprocessableEntity, "is not one of the known layouts");
        await AssertProblemAsync(await anonymous.PostAsync("/api/public/benchmark-report", Form(file.Csv.Replace(",EUR,", ",JPY,", StringComparison.Ordinal), "apparel"), Ct),
            HttpStatusCode.UnprocessableEntity, "no exchange rate from JPY to USD");
        using var noFile = new MultipartFormDataContent { { new StringContent("apparel"), "industry" } };
        await AssertProblemAsync(await anonymous.PostAsync("/api/public/benchmark-report", noFile, Ct), HttpStatusCode.BadRequest, "no file");
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_with_413_before_it_is_read()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions
        {
            Settings = new Dictionary<string, string> { ["Benchmarks:JobEnabled"] = "false", ["BenchmarkReport:MaxUploadBytes"] = "2000" },
            Stores = [],
        });
        using var anonymous = app.CreateClient();
        var file = OrdersFile.Make(new Random(1), PeerSeed.End.AddDays(-1), days: 20);
        Assert.True(Encoding.UTF8.GetByteCount(file.Csv) > 2000);

        await AssertProblemAsync(await anonymous.PostAsync("/api/public/benchmark-report", file.Form("apparel"), Ct),
            HttpStatusCode.RequestEntityTooLarge, "files up to 2,000 bytes");
    }

    [Fact]
    public async Task One_address_gets_as_many_reports_as_the_limit_allows_then_429_with_retry_after()
    {
        await using var app = new SalesDashHost(new SalesDashHostOptions
        {
            Settings = new Dictionary<string, string> { ["Benchmarks:JobEnabled"] = "false", ["BenchmarkReport:PermitsPerAddress"] = "2" },
            Stores = [],
        });
        using var anonymous = app.CreateClient();
        var file = OrdersFile.Make(new Random(2), PeerSeed.End.AddDays(-1), days: 20);
        await PeerSeed.RateAsync(app, Ct);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await anonymous.PostAsync("/api/public/benchmark-report", file.Form("apparel"), Ct);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var refused = await anonymous.PostAsync("/api/public/benchmark-report/pdf", file.Form("apparel"), Ct);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "2 benchmark reports");
        // The form's read is not limited.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/public/benchmark-report", Ct)).StatusCode);
    }

    private static async Task<BenchmarkReportView> ReportAsync(HttpClient client, OrdersFile file, string industry)
    {
        using var response = await client.PostAsync("/api/public/benchmark-report", file.Form(industry), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<BenchmarkReportView>(Json, Ct))!;
    }

    private static void AssertQuartiles(ReportMetricView row, IReadOnlyList<SeededOrg> peers, CohortView cohort, BenchmarkMetric metric)
    {
        var values = peers.Select(p => p.Expected(metric)!.Value).ToList();
        Assert.Equal(cohort, row.Cohort);
        Assert.Equal((PeerSeed.Quartile(values, 1), PeerSeed.Quartile(values, 2), PeerSeed.Quartile(values, 3)), (row.P25, row.P50, row.P75));
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string words)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(words, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    private static MultipartFormDataContent Form(string csv, string industry) => new()
    {
        { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "orders_export.csv" },
        { new StringContent(industry), "industry" },
    };

    private async Task<Dictionary<string, long>> CountAppRowsAsync()
    {
        await using var scope = quiet.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            // Table names come from the model, not from input.
            var sql = "SELECT COUNT(*) AS \"Value\" FROM \"" + table + "\"";
            counts[table] = await db.Database.SqlQueryRaw<long>(sql).SingleAsync(Ct);
        }

        return counts;
    }

    private static bool Holds(string path, byte[] marker)
    {
        try
        {
            return File.ReadAllBytes(path).AsSpan().IndexOf(marker) >= 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task<string> PdfTextAsync(byte[] pdf)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, pdf, Ct);
            var start = new ProcessStartInfo("pdftotext", ["-layout", file, "-"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("pdftotext did not start: install poppler-utils.");
            var text = await process.StandardOutput.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync(Ct));
            return text;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// The host of the tests that need no peers published: nothing is seeded and the job never runs. It keeps every event
    /// that reaches the ingest, so a test sees whether its upload added one.
    /// </summary>
    public sealed class QuietApp() : SalesDashHost(new SalesDashHostOptions
    {
        Settings = new Dictionary<string, string> { ["Benchmarks:JobEnabled"] = "false" },
        Stores = [],
    })
    {
        public ConcurrentQueue<CommerceEvent> Ingested { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) => WrapIngest(inner => new WatchedIngest(Ingested, inner))(services);
    }

    private sealed class WatchedIngest(ConcurrentQueue<CommerceEvent> seen, ICommerceEventIngest inner) : ICommerceEventIngest
    {
        public Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken)
        {
            seen.Enqueue(commerceEvent);
            return inner.IngestAsync(commerceEvent, cancellationToken);
        }
    }
}

/// <summary>
/// A Shopify orders export in euros, one line item per order, written by the test with its own oracle: each order's
/// time, total, customer (a pool of e-mails, so some return) and refunded amount, and the figures computed from them.
/// </summary>
public sealed record OrdersFile(string Csv, string Marker, DateOnly LastDay, List<(string Id, DateTimeOffset At, decimal Total, string? Email, decimal Refunded)> Orders)
{
    /// <summary>The seeded EUR → USD rate (<see cref="PeerSeed"/> writes it ten days before the host's today).</summary>
    public const decimal EurUsd = 1.1m;

    /// <param name="lastAt">Midday of the file's last day holds its newest order.</param>
    public static OrdersFile Make(Random random, DateTimeOffset lastAt, int days)
    {
        var marker = $"bench{Guid.NewGuid():N}"[..16];
        var last = new DateTimeOffset(lastAt.UtcDateTime.Date, TimeSpan.Zero).AddHours(12);
        var orders = new List<(string Id, DateTimeOffset At, decimal Total, string? Email, decimal Refunded)>();
        for (var i = 0; i < 3 * days; i++)
        {
            var at = i == 0 ? last : last.AddMinutes(-random.Next(0, (days * 24 * 60) - (12 * 60)));
            var total = Math.Round((decimal)(15 + (random.NextDouble() * 80)), 2);
            var email = random.Next(5) == 0 ? null : $"c{random.Next(40)}@example.com";
            var refunded = random.Next(12) == 0 ? Math.Round(total / 2, 2) : 0m;
            orders.Add(($"#{marker}-{i}", at, total, email, refunded));
        }

        var csv = new StringBuilder("Name,Email,Created at,Currency,Total,Refunded Amount,Lineitem quantity,Lineitem price,Lineitem name\n");
        foreach (var o in orders)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{o.Id},{o.Email},{o.At.UtcDateTime:yyyy-MM-dd HH:mm:ss},EUR,{o.Total},{o.Refunded},1,{o.Total},Tee\n");
        }

        return new OrdersFile(csv.ToString(), marker, DateOnly.FromDateTime(last.UtcDateTime), orders);
    }

    public MultipartFormDataContent Form(string industry) => new()
    {
        { new ByteArrayContent(Encoding.UTF8.GetBytes(Csv)), "file", "orders_export.csv" },
        { new StringContent(industry), "industry" },
    };

    /// <summary>The figure as the test computes it from the rows it wrote, over windows ending at the end of the file's last day.</summary>
    public decimal? Expected(BenchmarkMetric metric)
    {
        var end = new DateTimeOffset(LastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var first = new DateTimeOffset(Orders.Min(o => o.At).UtcDateTime.Date, TimeSpan.Zero);
        List<(string Id, DateTimeOffset At, decimal Total, string? Email, decimal Refunded)> In(int from, int to) =>
            [.. Orders.Where(o => o.At >= end.AddDays(-from) && o.At < end.AddDays(-to))];
        decimal Revenue(int from, int to) => In(from, to).Sum(o => o.Total) * EurUsd;
        static decimal? R(decimal top, decimal bottom) => bottom == 0m ? null : Math.Round(top / bottom, 4, MidpointRounding.AwayFromZero);

        // A customer returns when the same e-mail ordered earlier in the file (same minute: the lower order id first).
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var returning = Orders.OrderBy(o => o.At).ThenBy(o => o.Id, StringComparer.Ordinal)
            .Where(o => o.Email is not null && !seen.Add(o.Email)).Select(o => o.Id).ToHashSet(StringComparer.Ordinal);
        var last28 = In(28, 0);
        return metric switch
        {
            BenchmarkMetric.AverageOrderValue => R(Revenue(28, 0), last28.Count),
            BenchmarkMetric.RepeatRate => R(last28.Count(o => returning.Contains(o.Id)), last28.Count),
            BenchmarkMetric.RefundRate => R(last28.Sum(o => o.Refunded) * EurUsd, Revenue(28, 0)),
            BenchmarkMetric.RevenueGrowthWoW => first <= end.AddDays(-14) ? R(Revenue(7, 0), Revenue(14, 7)) - 1m : null,
            BenchmarkMetric.RevenueGrowthMoM => first <= end.AddDays(-56) ? R(Revenue(28, 0), Revenue(56, 28)) - 1m : null,
            _ => null,
        };
    }
}
