using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using MimeKit;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Exports;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Reports;

/// <summary>A share link as the API lists it: never its secret, which is shown once when the link is made.</summary>
public sealed record ReportShareView(string Id, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A share link just made: the address to hand out, shown this once.</summary>
public sealed record ReportShareCreated(string Id, string Token, string Url, DateTimeOffset CreatedAt);

/// <summary>A report as the API shows it: its definition and when it is next sent.</summary>
public sealed record ReportView(
    string Id, string Name, IReadOnlyList<string> StoreIds, string Period, string SendTime, string TimeZone, IReadOnlyList<string> Recipients,
    ReportSections Sections, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? NextSendAt,
    string? From = null, string? To = null, IReadOnlyList<string>? Metrics = null, string Format = "pdf", bool RollUp = false, ReportShareView? Share = null)
{
    public static ReportView Of(ReportDefinition r, DateTimeOffset? next)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new ReportView(r.Id, r.Name, r.StoreIds, r.Period.ToString().ToLowerInvariant(), r.SendTime.ToString("HH:mm", CultureInfo.InvariantCulture),
            r.TimeZone, r.Recipients, r.Sections, r.Enabled, r.CreatedAt, r.UpdatedAt, next,
            r.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            [.. ReportMetrics.Of(r).Select(m => m.Key)], r.Format.ToString().ToLowerInvariant(), r.RollUp,
            r.Share is { } share ? new ReportShareView(share.Id, share.CreatedAt, share.RevokedAt) : null);
    }
}

/// <summary>
/// Reports of an organisation (Analyst): create, list, change, delete, run now, the history of sends and each send's file,
/// a preview of the page, the report's figures as PDF/CSV/XLSX, and a read-only share link that can be revoked.
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
        reports.MapGet("/{id}/sends/{sendId}/file", PdfAsync).WithName("GetReportSendFile");
        reports.MapGet("/{id}/preview", PreviewAsync).WithName("PreviewReport");
        reports.MapPost("/{id}/share", ShareAsync).WithName("ShareReport");
        reports.MapDelete("/{id}/share", RevokeShareAsync).WithName("RevokeReportShare");
        api.MapGet("/tenants/{tenantId}/exports/reports/{id}", ExportAsync).RequireOrgRole(OrgRole.Analyst).WithName("ExportReport");
        // Whoever holds the link reads the report; it changes nothing, so it needs no sign-in.
        api.MapGet("/shared/reports/{token}", SharedAsync).AllowAnonymous().WithName("GetSharedReport");
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

        // The share link is the report's, not the form's: editing keeps it working.
        var report = parsed! with { Id = existing.Id, CreatedAt = existing.CreatedAt, UpdatedAt = time.GetUtcNow(), Share = existing.Share };
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
            || await store.GetPdfAsync(tenantId, sendId, cancellationToken) is not { } file)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No file",
                detail: $"Report '{id}' has no send '{sendId}' with a rendered file.");
        }

        var (type, extension) = send.Format switch
        {
            ReportFormat.Csv => (ExportFormats.CsvContentType, "csv"),
            ReportFormat.Xlsx => (ExportFormats.XlsxContentType, "xlsx"),
            _ => ("application/pdf", "pdf"),
        };
        return TypedResults.File(file, type, $"report-{id}-{send.PeriodFrom:yyyy-MM-dd}.{extension}");
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> PreviewAsync(
        string tenantId, string id, IReportStore store, ReportRunner runner, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(tenantId, id, cancellationToken) is not { } report)
        {
            return NotFound(tenantId, id);
        }

        try
        {
            return TypedResults.Content(await runner.PreviewAsync(report, cancellationToken), "text/html; charset=utf-8");
        }
        catch (MissingExchangeRateException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Missing exchange rate", detail: e.Message);
        }
    }

    /// <summary>The report for the period a send now would cover, as PDF, CSV or XLSX (the report's own format when none is asked).</summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        string tenantId, string id, string? format, IReportStore store, ReportRunner runner, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(tenantId, id, cancellationToken) is not { } report)
        {
            return NotFound(tenantId, id);
        }

        if (!TryFormat(format, report.Format, out var fileFormat))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid export format", detail: $"format '{format}' is not one of pdf, csv, xlsx.");
        }

        ReportFile file;
        try
        {
            file = await runner.FileAsync(report, fileFormat, cancellationToken);
        }
        catch (MissingExchangeRateException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Missing exchange rate", detail: e.Message);
        }

        return TypedResults.File(file.Bytes, file.ContentType, file.FileName);
    }

    /// <summary>Makes the report's read-only link, replacing (and so ending) any link it had.</summary>
    private static async Task<Results<Created<ReportShareCreated>, ProblemHttpResult>> ShareAsync(
        string tenantId, string id, IReportStore store, TimeProvider time, HttpRequest request, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(tenantId, id, cancellationToken) is not { } report)
        {
            return NotFound(tenantId, id);
        }

        var (share, token) = ReportShares.Create(report.Id, time.GetUtcNow());
        await store.SaveAsync(report with { Share = share }, cancellationToken);
        var path = $"/api/shared/reports/{token}";
        return TypedResults.Created(path, new ReportShareCreated(share.Id, token, $"{request.Scheme}://{request.Host}{request.PathBase}{path}", share.CreatedAt));
    }

    /// <summary>Switches the link off: from now on it answers 410 Gone.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeShareAsync(
        string tenantId, string id, IReportStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(tenantId, id, cancellationToken) is not { } report)
        {
            return NotFound(tenantId, id);
        }

        if (report.Share is not { RevokedAt: null } share)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No share link", detail: $"Report '{id}' has no link to revoke.");
        }

        await store.SaveAsync(report with { Share = share with { RevokedAt = time.GetUtcNow() } }, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The shared report as its page (read-only: no form, no script), or ?format=csv|xlsx|pdf as a file.</summary>
    private static async Task<Results<ContentHttpResult, FileContentHttpResult, ProblemHttpResult>> SharedAsync(
        string token, string? format, IReportStore store, ReportRunner runner, IOrganisationBranding branding, HttpContext http, CancellationToken cancellationToken)
    {
        // Never from a cache: a revoked link must stop at once.
        http.Response.Headers.CacheControl = "no-store";
        var report = ReportShares.TryRead(token, out var reportId, out _, out _) ? await store.FindAsync(reportId, cancellationToken) : null;
        switch (ReportShares.Check(report, token))
        {
            case ShareCheck.Revoked:
                return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Share link revoked",
                    detail: "This link was switched off by the report's owner; ask them for a new one.");
            case ShareCheck.Unknown:
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown share link", detail: "No report is shared under this link.");
        }

        try
        {
            if (format is null)
            {
                var content = await runner.ContentAsync(report!, cancellationToken);
                return TypedResults.Content(ReportHtml.Render(content, await branding.GetAsync(report!.TenantId, cancellationToken)), "text/html; charset=utf-8");
            }

            if (!TryFormat(format, report!.Format, out var fileFormat))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid format", detail: $"format '{format}' is not one of pdf, csv, xlsx.");
            }

            var file = await runner.FileAsync(report, fileFormat, cancellationToken);
            return TypedResults.File(file.Bytes, file.ContentType, file.FileName);
        }
        catch (MissingExchangeRateException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Missing exchange rate", detail: e.Message);
        }
    }

    private static bool TryFormat(string? value, ReportFormat fallback, out ReportFormat format)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "":
                format = fallback;
                return true;
            case "pdf":
                format = ReportFormat.Pdf;
                return true;
            case "csv":
                format = ReportFormat.Csv;
                return true;
            case "xlsx":
                format = ReportFormat.Xlsx;
                return true;
            default:
                format = default;
                return false;
        }
    }

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
            "custom" => ReportPeriod.Custom,
            _ => null,
        };
        if (period is null)
        {
            errors["period"] = [$"period '{input.Period}' is not one of daily, weekly, monthly, custom."];
        }

        DateOnly? from = null, to = null;
        if (period == ReportPeriod.Custom)
        {
            from = Date(input.From, "from", errors);
            to = Date(input.To, "to", errors);
            if (from is { } f && to is { } t && (t < f || t.DayNumber - f.DayNumber >= MaxCustomDays))
            {
                errors["to"] = [$"to must be on or after from, and the range at most {MaxCustomDays} days."];
            }
        }

        // A fixed range is never scheduled, so its send time may be left out.
        var sendTime = TimeOnly.MinValue;
        if (!(period == ReportPeriod.Custom && string.IsNullOrWhiteSpace(input.SendTime))
            && !TimeOnly.TryParseExact(input.SendTime?.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out sendTime))
        {
            errors["sendTime"] = [$"sendTime '{input.SendTime}' is not a time of day as HH:mm."];
        }

        var metrics = new List<string>();
        foreach (var key in input.Metrics ?? [])
        {
            if (ReportMetrics.Normalise(key) is { } metric)
            {
                metrics.Add(metric);
            }
            else
            {
                errors["metrics"] = [$"metric '{key}' is not one of {string.Join(", ", ReportMetrics.All.Select(m => m.Key))}."];
            }
        }

        ReportFormat? format = input.Format?.Trim().ToLowerInvariant() switch
        {
            null or "" or "pdf" => ReportFormat.Pdf,
            "csv" => ReportFormat.Csv,
            "xlsx" => ReportFormat.Xlsx,
            _ => null,
        };
        if (format is null)
        {
            errors["format"] = [$"format '{input.Format}' is not one of pdf, csv, xlsx."];
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
            default, default, from, to, metrics.Count == 0 ? null : [.. metrics.Distinct(StringComparer.Ordinal)], format!.Value, input.RollUp));
    }

    /// <summary>A custom range spans at most three years: enough for any comparison a person builds, bounded for the queries.</summary>
    public const int MaxCustomDays = 3 * 366;

    private static DateOnly? Date(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors[field] = [$"{field} '{text}' is not a date as yyyy-MM-dd; a custom range needs both from and to."];
        return null;
    }

    private static ProblemHttpResult NotFound(string tenantId, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown report", detail: $"There is no report '{id}' in '{tenantId}'.");
}
