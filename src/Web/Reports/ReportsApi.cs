using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using MimeKit;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Exports;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Reports;

/// <summary>A report as the API shows it: its definition and when it is next sent.</summary>
public sealed record ReportView(
    string Id, string Name, IReadOnlyList<string> StoreIds, string Period, string SendTime, string TimeZone, IReadOnlyList<string> Recipients,
    ReportSections Sections, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? NextSendAt)
{
    public static ReportView Of(ReportDefinition r, DateTimeOffset? next)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new ReportView(r.Id, r.Name, r.StoreIds, r.Period.ToString().ToLowerInvariant(), r.SendTime.ToString("HH:mm", CultureInfo.InvariantCulture),
            r.TimeZone, r.Recipients, r.Sections, r.Enabled, r.CreatedAt, r.UpdatedAt, next);
    }
}

/// <summary>
/// Reports of an organisation (Analyst): create, list, change, delete, run now, the history of sends and each send's PDF,
/// a preview of the page, and the report's figures as CSV/XLSX.
/// </summary>
public static class ReportsApi
{
    public const int MaxRecipients = 50;
    public const int HistoryLength = 100;

    public static RouteGroupBuilder MapReportsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var reports = api.MapGroup("/tenants/{tenantId}/reports").RequireOrgRole(OrgRole.Analyst);
        reports.MapGet("/", ListAsync).WithName("ListReports");
        reports.MapPost("/", CreateAsync).WithName("CreateReport");
        reports.MapGet("/{id}", GetAsync).WithName("GetReport");
        reports.MapPut("/{id}", UpdateAsync).WithName("UpdateReport");
        reports.MapDelete("/{id}", DeleteAsync).WithName("DeleteReport");
        reports.MapPost("/{id}/run", RunAsync).WithName("RunReport");
        reports.MapGet("/{id}/sends", SendsAsync).WithName("ListReportSends");
        reports.MapGet("/{id}/sends/{sendId}/pdf", PdfAsync).WithName("GetReportSendPdf");
        reports.MapGet("/{id}/preview", PreviewAsync).WithName("PreviewReport");
        api.MapGet("/tenants/{tenantId}/exports/reports/{id}", ExportAsync).RequireOrgRole(OrgRole.Analyst).WithName("ExportReport");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<ReportView>>> ListAsync(string tenantId, IReportStore store, ReportScheduler scheduler, CancellationToken cancellationToken)
    {
        var list = new List<ReportView>();
        foreach (var report in await store.ListAsync(tenantId, cancellationToken))
        {
            list.Add(ReportView.Of(report, scheduler.NextSend(report)));
        }

        return TypedResults.Ok<IReadOnlyList<ReportView>>(list);
    }

    private static async Task<Results<Created<ReportView>, ValidationProblem>> CreateAsync(
        string tenantId, ReportInput input, IReportStore store, IStoreDirectory stores, ReportScheduler scheduler, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (errors, parsed) = await ValidateAsync(tenantId, input, stores, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid report");
        }

        var now = time.GetUtcNow();
        var report = parsed! with { Id = Guid.CreateVersion7(now).ToString("N"), CreatedAt = now, UpdatedAt = now };
        await store.SaveAsync(report, cancellationToken);
        var next = scheduler.NextSend(report);
        return TypedResults.Created($"/api/tenants/{tenantId}/reports/{report.Id}", ReportView.Of(report, next));
    }

    private static async Task<Results<Ok<ReportView>, ProblemHttpResult>> GetAsync(
        string tenantId, string id, IReportStore store, ReportScheduler scheduler, CancellationToken cancellationToken) =>
        await store.GetAsync(tenantId, id, cancellationToken) is { } report
            ? TypedResults.Ok(ReportView.Of(report, scheduler.NextSend(report)))
            : NotFound(tenantId, id);

    private static async Task<Results<Ok<ReportView>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string tenantId, string id, ReportInput input, IReportStore store, IStoreDirectory stores, ReportScheduler scheduler, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await store.GetAsync(tenantId, id, cancellationToken) is not { } existing)
        {
            return NotFound(tenantId, id);
        }

        var (errors, parsed) = await ValidateAsync(tenantId, input, stores, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid report");
        }

        var report = parsed! with { Id = existing.Id, CreatedAt = existing.CreatedAt, UpdatedAt = time.GetUtcNow() };
        await store.SaveAsync(report, cancellationToken);
        var next = scheduler.NextSend(report);
        return TypedResults.Ok(ReportView.Of(report, next));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string tenantId, string id, IReportStore store, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(tenantId, id, cancellationToken) is null)
        {
            return NotFound(tenantId, id);
        }

        await store.DeleteAsync(tenantId, id, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Sends the report now for its last complete period; a failure is in the answer and retried like a scheduled one.</summary>
    private static async Task<Results<Ok<ReportSend>, ProblemHttpResult>> RunAsync(
        string tenantId, string id, IReportStore store, ReportRunner runner, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(tenantId, id, cancellationToken) is not { } report)
        {
            return NotFound(tenantId, id);
        }

        // A failure records its next attempt; the schedule retries it like a scheduled send's.
        var send = await runner.RunAsync(report, "manual", cancellationToken);
        return TypedResults.Ok(send);
    }

    private static async Task<Results<Ok<IReadOnlyList<ReportSend>>, ProblemHttpResult>> SendsAsync(
        string tenantId, string id, IReportStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(tenantId, id, cancellationToken) is null
            ? NotFound(tenantId, id)
            : TypedResults.Ok(await store.ListSendsAsync(tenantId, id, HistoryLength, cancellationToken));

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> PdfAsync(
        string tenantId, string id, string sendId, IReportStore store, CancellationToken cancellationToken)
    {
        if (await store.GetSendAsync(tenantId, sendId, cancellationToken) is not { } send || send.ReportId != id
            || await store.GetPdfAsync(tenantId, sendId, cancellationToken) is not { } pdf)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No PDF",
                detail: $"Report '{id}' has no send '{sendId}' with a printed PDF.");
        }

        return TypedResults.File(pdf, "application/pdf", $"report-{id}-{send.PeriodFrom:yyyy-MM-dd}.pdf");
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> PreviewAsync(
        string tenantId, string id, IReportStore store, ReportRunner runner, CancellationToken cancellationToken) =>
        await store.GetAsync(tenantId, id, cancellationToken) is { } report
            ? TypedResults.Content(await runner.PreviewAsync(report, cancellationToken), "text/html; charset=utf-8")
            : NotFound(tenantId, id);

    /// <summary>The figures of the report's last complete period as CSV or XLSX, a table per store and section.</summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        string tenantId, string id, string? format, IReportStore store, ReportComposer composer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!ExportFormats.TryParse(format, out var fileFormat))
        {
            return ExportsApi.BadFormat(format);
        }

        if (await store.GetAsync(tenantId, id, cancellationToken) is not { } report)
        {
            return NotFound(tenantId, id);
        }

        var (from, to) = ReportSchedule.CoveredPeriod(report.Period, ReportRunner.Zone(report), time.GetUtcNow());
        var content = await composer.ComposeAsync(report, from, to, cancellationToken);
        var tables = new List<ExportTable>();
        foreach (var part in content.Stores)
        {
            var s = part.Store;
            var name = s.Store.StoreId;
            if (part.Summary is { } summary)
            {
                tables.Add(ExportTables.Summary(new History.HistorySummaryResponse(tenantId, name, s.Currency, summary.TimeZone, summary.Period, summary.Comparison, summary.Kpis))
                    with { Name = $"{name} summary" });
            }

            if (part.Trend is { } trend)
            {
                tables.Add(ExportTables.Points($"{name} trend", trend.Points, s.Currency, ExportFormats.Zone(trend.TimeZone)));
            }

            if (part.TopProducts is { } products)
            {
                tables.Add(ExportTables.Breakdown(Breakdown(tenantId, s.Currency, products), $"{name} top products"));
            }

            if (part.Channels is { } channels)
            {
                tables.Add(ExportTables.Breakdown(Breakdown(tenantId, s.Currency, channels), $"{name} channels"));
            }
        }

        return await ExportsApi.FileAsync(new ExportDocument($"{tenantId}-{report.Name}-{from:yyyy-MM-dd}-to-{to:yyyy-MM-dd}", tables), fileFormat, cancellationToken);
    }

    private static History.HistoryBreakdownResponse Breakdown(string tenantId, string currency, Engine.History.HistoryBreakdown b) =>
        new(tenantId, b.StoreId, currency, b.TimeZone, b.By.ToString().ToLowerInvariant(), b.RankedBy.ToString().ToLowerInvariant(), b.Period, b.Comparison, b.TotalGroups, b.Rows);

    private static async Task<(Dictionary<string, string[]> Errors, ReportDefinition? Report)> ValidateAsync(
        string tenantId, ReportInput? input, IStoreDirectory stores, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (input is null)
        {
            errors["body"] = ["A report needs a JSON body."];
            return (errors, null);
        }

        var name = input.Name?.Trim() ?? string.Empty;
        if (name.Length is 0 or > 100)
        {
            errors["name"] = ["name is required, at most 100 characters."];
        }

        var own = (await stores.ListAsync(tenantId, cancellationToken)).ToDictionary(s => s.Store.StoreId, StringComparer.Ordinal);
        var storeIds = (input.StoreIds ?? []).Select(s => s?.Trim() ?? string.Empty).Distinct(StringComparer.Ordinal).ToList();
        if (storeIds.Count == 0)
        {
            errors["storeIds"] = ["Pick at least one store."];
        }
        else if (storeIds.FirstOrDefault(s => !own.ContainsKey(s)) is { } unknown)
        {
            errors["storeIds"] = [StoreScope.UnknownStoreDetail(tenantId, unknown)];
        }

        ReportPeriod? period = input.Period?.Trim().ToLowerInvariant() switch
        {
            "daily" => ReportPeriod.Daily,
            "weekly" => ReportPeriod.Weekly,
            "monthly" => ReportPeriod.Monthly,
            _ => null,
        };
        if (period is null)
        {
            errors["period"] = [$"period '{input.Period}' is not one of daily, weekly, monthly."];
        }

        if (!TimeOnly.TryParseExact(input.SendTime?.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var sendTime))
        {
            errors["sendTime"] = [$"sendTime '{input.SendTime}' is not a time of day as HH:mm."];
        }

        var zone = string.IsNullOrWhiteSpace(input.TimeZone)
            ? storeIds.Select(s => own.TryGetValue(s, out var p) ? p.TimeZone : null).FirstOrDefault(z => z is not null) ?? "UTC"
            : input.TimeZone.Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors["timeZone"] = [$"timeZone '{zone}' is not a known IANA zone."];
        }

        var recipients = (input.Recipients ?? []).Select(r => r?.Trim() ?? string.Empty).Where(r => r.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (recipients.Count is 0 or > MaxRecipients)
        {
            errors["recipients"] = [$"Give between 1 and {MaxRecipients} e-mail addresses."];
        }
        else if (recipients.FirstOrDefault(r => !MailboxAddress.TryParse(r, out var m) || !m.Address.Contains('@', StringComparison.Ordinal)) is { } bad)
        {
            errors["recipients"] = [$"'{bad}' is not an e-mail address."];
        }

        var sections = input.Sections ?? new ReportSections();
        if (!sections.Any)
        {
            errors["sections"] = ["Pick at least one section."];
        }

        if (errors.Count > 0)
        {
            return (errors, null);
        }

        return (errors, new ReportDefinition(string.Empty, tenantId, name, storeIds, period!.Value, sendTime, zone, recipients, sections, input.Enabled,
            default, default));
    }

    private static ProblemHttpResult NotFound(string tenantId, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown report", detail: $"There is no report '{id}' in '{tenantId}'.");
}
