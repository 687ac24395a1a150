using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;
using SalesDash.Web.Mail;
using SalesDash.Web.Reports;
using SalesDash.Web.Tests.Alerts;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Reports;

/// <summary>
/// A scheduled report job, run directly with the frozen clock, prints a PDF whose text (pdftotext) holds the figures
/// computed here from the orders fed in, and mails it to the loopback SMTP server; a send that fails is recorded and
/// a retry delivers it.
/// </summary>
public sealed class ReportsTests : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("salesdash-reports-").FullName;

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

    /// <summary>Yesterday in London (24 November 2026, GMT) and the day before, for the comparison.</summary>
    private static readonly (string Id, DateTimeOffset At, (string Sku, int Qty, decimal Price)[] Lines)[] Orders =
    [
        ("y-1", new(2026, 11, 24, 9, 15, 0, TimeSpan.Zero), [("MUG", 3, 12.5m)]),
        ("y-2", new(2026, 11, 24, 13, 40, 0, TimeSpan.Zero), [("TEE", 2, 24.99m), ("MUG", 1, 12.5m)]),
        ("y-3", new(2026, 11, 24, 23, 59, 0, TimeSpan.Zero), [("CAP", 1, 18m)]),
        ("d-1", new(2026, 11, 23, 11, 0, 0, TimeSpan.Zero), [("MUG", 2, 12.5m)]),
        // Today: not in a report of yesterday.
        ("t-1", new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero), [("TEE", 10, 24.99m)]),
    ];

    [Fact]
    public async Task Scheduled_job_mails_a_pdf_whose_text_holds_the_figures_of_the_day_before()
    {
        var (host, port, maildir) = SmtpServer.Require();
        await using var app = new ReportsApp(dataDirectory, $"{host}:{port}");
        await FeedAsync(app);
        var marker = $"daily-{Guid.NewGuid():N}@example.test";
        var report = await CreateAsync(app.CreateSignedInClient(OrgRole.Analyst, "acme"), marker);

        // Next sent at 07:00 London (GMT in November) tomorrow.
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero), report.NextSendAt);

        using var scope = app.Services.CreateScope();
        var send = (await scope.ServiceProvider.GetRequiredService<ReportJob>().RunScheduledAsync("acme", report.Id, Ct))!;
        Assert.True(send.Status == ReportSendStatus.Sent, send.Error);
        Assert.Equal((new DateOnly(2026, 11, 24), new DateOnly(2026, 11, 24), "scheduled", 1), (send.PeriodFrom, send.PeriodTo, send.Trigger, send.Attempts));

        // The figures, worked out here from the orders fed in.
        var yesterday = Orders.Where(o => o.Id.StartsWith("y-", StringComparison.Ordinal)).ToList();
        var gross = yesterday.Sum(o => o.Lines.Sum(l => l.Qty * l.Price));
        var previous = Orders.Where(o => o.Id.StartsWith("d-", StringComparison.Ordinal)).Sum(o => o.Lines.Sum(l => l.Qty * l.Price));
        Assert.Equal(117.98m, gross);

        var client = app.CreateSignedInClient(OrgRole.Analyst, "acme");
        var raw = await client.GetFromJsonAsync<JsonElement>($"/api/tenants/acme/reports/{report.Id}/sends", Json, Ct);
        Assert.Equal("Sent", raw[0].GetProperty("status").GetString());
        var history = (await client.GetFromJsonAsync<ReportSend[]>($"/api/tenants/acme/reports/{report.Id}/sends", Json, Ct))!;
        var listed = Assert.Single(history);
        Assert.Equal((send.Id, ReportSendStatus.Sent), (listed.Id, listed.Status));
        Assert.Equal([marker], listed.Recipients);
        using var pdfResponse = await client.GetAsync($"/api/tenants/acme/reports/{report.Id}/sends/{send.Id}/pdf", Ct);
        Assert.Equal(HttpStatusCode.OK, pdfResponse.StatusCode);
        Assert.Equal("application/pdf", pdfResponse.Content.Headers.ContentType?.MediaType);
        var pdf = await pdfResponse.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(listed.PdfBytes, pdf.LongLength);

        var text = await PdfTextAsync(pdf);
        Assert.Contains("Morning numbers", text, StringComparison.Ordinal);
        Assert.Contains("Daily report for 2026-11-24", text, StringComparison.Ordinal);
        Assert.Contains($"GBP {gross:#,##0.00}", text, StringComparison.Ordinal);
        Assert.Contains($"GBP {previous:#,##0.00}", text, StringComparison.Ordinal);
        Assert.Contains("GBP 39.33", text, StringComparison.Ordinal); // average order value: 117.98 / 3
        Assert.Contains("GBP 49.98", text, StringComparison.Ordinal); // TEE: 2 × 24.99, and MUG 4 × 12.50 = 50.00 ranks first
        Assert.Contains("GBP 50.00", text, StringComparison.Ordinal);
        Assert.DoesNotContain("GBP 249.90", text, StringComparison.Ordinal); // today's order is not yesterday's

        var mail = Assert.Single(SmtpServer.MessagesContaining(maildir, marker));
        Assert.Equal("Morning numbers: Daily report for 2026-11-24", mail.Subject);
        var attachment = Assert.Single(mail.Attachments.OfType<MimePart>());
        Assert.Equal("application/pdf", attachment.ContentType.MimeType);
        using var attached = new MemoryStream();
        await attachment.Content!.DecodeToAsync(attached, Ct);
        Assert.Equal(pdf, attached.ToArray());
        Assert.Contains($"GBP {gross:#,##0.00}", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("SalesDash", mail.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_schedule_sends_a_due_report_once_even_when_another_node_runs_it_again()
    {
        var (host, port, maildir) = SmtpServer.Require();
        var marker = $"once-{Guid.NewGuid():N}@example.test";
        var sendTime = new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
        await using var first = new SalesDashHost(new SalesDashHostOptions { Settings = ReportsApp.Settings($"{host}:{port}"), Services = SalesDashHost.WithoutClusterJobs });
        await FeedAsync(first);
        var report = await CreateAsync(first.CreateSignedInClient(OrgRole.Analyst, "acme"), marker);
        var schedule = first.Services.GetRequiredService<ReportScheduler>();

        // Today's 07:00 passed before the report was saved: nothing is due until tomorrow's.
        await schedule.RunAsync(Ct);
        Assert.Empty(await SendsAsync(first, report.Id));

        first.Clock.SetUtcNow(sendTime.AddSeconds(20));
        await schedule.RunAsync(Ct);
        await schedule.RunAsync(Ct);
        var sent = Assert.Single(await SendsAsync(first, report.Id));
        Assert.Equal((ReportSendStatus.Sent, "scheduled", new DateOnly(2026, 11, 25)), (sent.Status, sent.Trigger, sent.PeriodFrom));

        // The node that takes the schedule over reads the sends, not a memory: it does not send that slot again.
        await using var second = await first.RestartAsync();
        second.Clock.SetUtcNow(sendTime.AddSeconds(50));
        var takeover = second.Services.GetRequiredService<ReportScheduler>();
        await takeover.RunAsync(Ct);
        Assert.Single(await SendsAsync(second, report.Id));
        Assert.Single(SmtpServer.MessagesContaining(maildir, marker));

        // The next slot is its to send.
        second.Clock.SetUtcNow(sendTime.AddDays(1).AddSeconds(5));
        await takeover.RunAsync(Ct);
        var sends = await SendsAsync(second, report.Id);
        Assert.Equal(2, sends.Count);
        Assert.Equal(new DateOnly(2026, 11, 26), sends[0].PeriodFrom);
        Assert.Equal(2, SmtpServer.MessagesContaining(maildir, marker).Count);
    }

    private static async Task<IReadOnlyList<ReportSend>> SendsAsync(SalesDashHost app, string reportId) =>
        await app.Services.GetRequiredService<IReportStore>().ListSendsAsync("acme", reportId, 10, Ct);

    [Fact]
    public async Task A_send_whose_node_died_before_the_mail_was_accepted_is_sent_once_by_the_next_node_as_attempt_two()
    {
        var (host, port, maildir) = SmtpServer.Require();
        var marker = $"takeover-{Guid.NewGuid():N}@example.test";
        var relay = new HeldRelay();
        await using var first = new SalesDashHost(new SalesDashHostOptions
        {
            Settings = ReportsApp.Settings($"{host}:{port}"),
            // The first node's mail never reaches the relay: it is cut off at the door, as a node killed mid-send is.
            Services = services =>
            {
                SalesDashHost.WithoutClusterJobs(services);
                services.AddSingleton<IMailSender>(_ => relay);
            },
        });
        await FeedAsync(first);
        var report = await CreateAsync(first.CreateSignedInClient(OrgRole.Analyst, "acme"), marker);
        var firstNode = first.Services.GetRequiredService<ReportSender>().Id.Name;

        using var dying = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var attempt = first.Services.GetRequiredService<ReportJob>().RunScheduledAsync("acme", report.Id, dying.Token);
        await relay.Reached.Task.WaitAsync(Ct);
        var inFlight = Assert.Single(await SendsAsync(first, report.Id));
        Assert.Equal((ReportSendStatus.Running, 1, firstNode), (inFlight.Status, inFlight.Attempts, inFlight.Node));
        await dying.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => attempt);
        Assert.Empty(SmtpServer.MessagesContaining(maildir, marker));

        // The next node, with the real relay. Within the lease the send may still be going out from the first node.
        await using var second = await first.RestartAsync(o => o with { Services = SalesDashHost.WithoutClusterJobs });
        var schedule = second.Services.GetRequiredService<ReportScheduler>();
        await schedule.RunAsync(Ct);
        Assert.Equal(ReportSendStatus.Running, Assert.Single(await SendsAsync(second, report.Id)).Status);

        // Once the lease (2 minutes) has run out with no acceptance recorded, the schedule takes it over and mails it.
        second.Clock.Advance(TimeSpan.FromMinutes(2));
        await schedule.RunAsync(Ct);
        await schedule.RunAsync(Ct);
        var sent = Assert.Single(await SendsAsync(second, report.Id));
        Assert.Equal((inFlight.Id, ReportSendStatus.Sent, 2, firstNode, second.Services.GetRequiredService<ReportSender>().Id.Name, inFlight.PeriodFrom),
            (sent.Id, sent.Status, sent.Attempts, sent.TakenOverFrom, sent.Node, sent.PeriodFrom));
        Assert.False(string.IsNullOrWhiteSpace(sent.SmtpReply), "the relay's acceptance is recorded with the send");
        var mail = Assert.Single(SmtpServer.MessagesContaining(maildir, marker));
        // The Message-ID was fixed when the send was made: a copy from a later attempt would carry the same one.
        Assert.Equal((inFlight.MessageId, $"report-send-{inFlight.Id}@salesdash.test"), (mail.MessageId, inFlight.MessageId));
    }

    /// <summary>A relay the first node never gets through: each message waits at the door until its send is cancelled.</summary>
    private sealed class HeldRelay : IMailSender
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Configured => true;

        public async Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            Reached.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    [Fact]
    public async Task A_send_that_fails_is_recorded_with_its_error_and_a_retry_delivers_it()
    {
        var (host, port, maildir) = SmtpServer.Require();
        var marker = $"retry-{Guid.NewGuid():N}@example.test";

        // Nothing listens on port 9 (discard) here: the relay is down.
        await using var down = new ReportsApp(null, "127.0.0.1:9");
        await FeedAsync(down);
        var report = await CreateAsync(down.CreateSignedInClient(OrgRole.Analyst, "acme"), marker);
        ReportSend failed;
        using (var scope = down.Services.CreateScope())
        {
            failed = (await scope.ServiceProvider.GetRequiredService<ReportJob>().RunScheduledAsync("acme", report.Id, Ct))!;
        }

        Assert.Equal((ReportSendStatus.Failed, 1), (failed.Status, failed.Attempts));
        Assert.False(string.IsNullOrWhiteSpace(failed.Error));
        Assert.Equal(down.Clock.GetUtcNow() + TimeSpan.FromMinutes(5), failed.NextAttemptAt);
        Assert.True(failed.PdfBytes > 0, "the PDF was printed before the mail failed");
        var listed = Assert.Single((await down.CreateSignedInClient(OrgRole.Analyst, "acme").GetFromJsonAsync<ReportSend[]>($"/api/tenants/acme/reports/{report.Id}/sends", Json, Ct))!);
        Assert.Equal((ReportSendStatus.Failed, failed.Error), (listed.Status, listed.Error));

        Assert.Empty(SmtpServer.MessagesContaining(maildir, marker));

        // The relay is back: the retry the failure scheduled sends the same period and updates the same row.
        await using var up = await down.RestartAsync(o => o with { Settings = ReportsApp.Settings($"{host}:{port}") });
        using var retryScope = up.Services.CreateScope();
        var retried = (await retryScope.ServiceProvider.GetRequiredService<ReportJob>().RetryAsync("acme", failed.Id, Ct))!;
        Assert.Equal((failed.Id, ReportSendStatus.Sent, 2, failed.PeriodFrom), (retried.Id, retried.Status, retried.Attempts, retried.PeriodFrom));
        Assert.Null(retried.Error);
        Assert.Single(SmtpServer.MessagesContaining(maildir, marker));
        var sends = (await up.CreateSignedInClient(OrgRole.Analyst, "acme").GetFromJsonAsync<ReportSend[]>($"/api/tenants/acme/reports/{report.Id}/sends", Json, Ct))!;
        Assert.Equal([(failed.Id, ReportSendStatus.Sent, 2)], sends.Select(s => (s.Id, s.Status, s.Attempts)));
    }

    [Fact]
    public async Task Invalid_reports_are_refused_with_what_is_wrong()
    {
        await using var app = new ReportsApp(dataDirectory, "127.0.0.1:9");
        using var response = await app.CreateSignedInClient(OrgRole.Analyst, "acme").PostAsJsonAsync("/api/tenants/acme/reports",
            new ReportInput("", ["uk-shop", "globex-shop"], "hourly", "7am", "Mars/Olympus", ["not-an-address"], new ReportSections(false, false, false, false)), Json, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Json, Ct)).GetProperty("errors");
        Assert.Equal(["name", "period", "recipients", "sections", "sendTime", "storeIds", "timeZone"],
            errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    private static async Task<ReportView> CreateAsync(HttpClient client, string recipient)
    {
        using var response = await client.PostAsJsonAsync("/api/tenants/acme/reports",
            new ReportInput("Morning numbers", ["uk-shop"], "daily", "07:00", null, [recipient]), Json, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<ReportView>(Json, Ct))!;
        Assert.Equal(("Europe/London", "daily", "07:00"), (report.TimeZone, report.Period, report.SendTime));
        return report;
    }

    private static async Task FeedAsync(SalesDashHost app)
    {
        var batch = new HistoryBatch();
        foreach (var (id, at, lines) in Orders)
        {
            batch.Add(new OrderPlaced
            {
                Store = new StoreRef("acme", "uk-shop"),
                Channel = SalesChannel.Shopify,
                EventId = id,
                OccurredAt = at,
                StoreTimeZone = "Europe/London",
                Currency = "GBP",
                OrderId = id,
                PlacedAt = at,
                Version = at,
                TotalPrice = lines.Sum(l => l.Qty * l.Price),
                Lines = [.. lines.Select(l => new OrderLine(l.Sku, $"Title of {l.Sku}", l.Qty, l.Price))],
                CountryCode = "GB",
            });
        }

        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, Ct);
    }

    /// <summary>The PDF's text as Debian's poppler-utils extracts it (./test.sh installs it).</summary>
    internal static async Task<string> PdfTextAsync(byte[] pdf)
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
}
