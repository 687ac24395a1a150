using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SalesDash.Web.Infrastructure;

namespace SalesDash.Web.Benchmarks;

/// <summary>Limits of the public benchmark report tool (section "BenchmarkReport"): it takes uploads from anyone.</summary>
public sealed class BenchmarkReportOptions
{
    public const string Section = "BenchmarkReport";

    /// <summary>Largest orders export taken, in bytes. The file is held in memory while the report is made; a year of a small shop's export is a few MB.</summary>
    public long MaxUploadBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Reports (web page and PDF each count) one client address may ask for per <see cref="Window"/>.</summary>
    public int PermitsPerAddress { get; set; } = 20;

    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>What the public page needs before an upload: the industries to choose from and the limits.</summary>
public sealed record BenchmarkReportForm(IReadOnlyList<string> Industries, long MaxUploadBytes, int MinimumPeers);

/// <summary>
/// The public benchmark report tool: no account. POST an orders export (multipart, field "file"; fields "industry" and
/// optionally "currency") to /api/public/benchmark-report for the report as JSON, or to …/pdf for the PDF. Rate limited
/// per client address (429), size limited (413), unreadable files 422 and bad fields 400, all problem+json. The file is
/// read into memory, never onto disk or into a database, and dropped with the request.
/// </summary>
public static class BenchmarkReportApi
{
    public const string PolicyName = "benchmark-report";

    /// <summary>Multipart headers and the small fields around the file.</summary>
    private const long FormOverheadBytes = 64 * 1024;

    public static IServiceCollection AddBenchmarkReport(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BenchmarkReportOptions>().Bind(configuration.GetSection(BenchmarkReportOptions.Section))
            .Validate(o => o.MaxUploadBytes > 0 && o.PermitsPerAddress > 0 && o.Window > TimeSpan.Zero,
                "BenchmarkReport:MaxUploadBytes, PermitsPerAddress and Window must be positive.")
            .ValidateOnStart();
        services.AddSingleton<BenchmarkReports>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<BenchmarkReportOptions>>((limiter, options) =>
        {
            var settings = options.Value;
            limiter.AddPerAddressPolicy(PolicyName, settings.PermitsPerAddress, settings.Window, (http, wait) =>
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many reports",
                    detail: $"This address has asked for {settings.PermitsPerAddress} benchmark reports within {settings.Window.TotalMinutes:0} minutes, the most allowed; try again in {seconds} s.");
            });
        });
        return services;
    }

    /// <summary>Maps the public (anonymous) report routes under /public/benchmark-report.</summary>
    public static RouteGroupBuilder MapBenchmarkReportApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var report = api.MapGroup("/public/benchmark-report").AllowAnonymous();
        report.MapGet("/", (IOptions<BenchmarkReportOptions> options) =>
            TypedResults.Ok(new BenchmarkReportForm(PeerCohorts.Industries, options.Value.MaxUploadBytes, PeerCohorts.MinimumPeers))).WithName("GetBenchmarkReportForm");
        // No antiforgery: nobody is signed in to act for, and the answer goes only to the sender.
        report.MapPost("/", ReportAsync).WithName("MakeBenchmarkReport").DisableAntiforgery().RequireRateLimiting(PolicyName);
        report.MapPost("/pdf", PdfAsync).WithName("MakeBenchmarkReportPdf").DisableAntiforgery().RequireRateLimiting(PolicyName);
        return api;
    }

    private static async Task<Results<Ok<BenchmarkReportView>, ProblemHttpResult>> ReportAsync(
        HttpRequest request, BenchmarkReports reports, IOptions<BenchmarkReportOptions> options, CancellationToken cancellationToken)
    {
        var (report, problem) = await MakeAsync(request, reports, options.Value, cancellationToken);
        return report is null ? problem! : TypedResults.Ok(report);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> PdfAsync(
        HttpRequest request, BenchmarkReports reports, IOptions<BenchmarkReportOptions> options, CancellationToken cancellationToken)
    {
        var (report, problem) = await MakeAsync(request, reports, options.Value, cancellationToken);
        if (report is null)
        {
            return problem!;
        }

        return TypedResults.File(await reports.PrintAsync(report, cancellationToken), "application/pdf", $"benchmark-report-{report.Industry}-{report.To:yyyy-MM-dd}.pdf");
    }

    /// <summary>Reads the form with the file into memory (refusing it past the limit as it streams in) and makes the report.</summary>
    private static async Task<(BenchmarkReportView? Report, ProblemHttpResult? Problem)> MakeAsync(
        HttpRequest request, BenchmarkReports reports, BenchmarkReportOptions limits, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limits.MaxUploadBytes + FormOverheadBytes)
        {
            return (null, TooLarge(limits.MaxUploadBytes));
        }

        if (!request.HasFormContentType || !MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return (null, Bad("Send the orders export as multipart/form-data in a field named \"file\", with the industry in a field named \"industry\"."));
        }

        // The server's own cap (30 MB by default) would otherwise cut a larger limit off with a bare 413.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxUploadBytes + FormOverheadBytes;
        }

        using var file = new MemoryStream();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var hasFile = false;
        var reader = new MultipartReader(boundary, request.Body);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                if (disposition.IsFileDisposition())
                {
                    if (hasFile)
                    {
                        return (null, Bad("Send one file per report."));
                    }

                    hasFile = true;
                    var buffer = new byte[64 * 1024];
                    int read;
                    while ((read = await section.Body.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        if (file.Length + read > limits.MaxUploadBytes)
                        {
                            return (null, TooLarge(limits.MaxUploadBytes));
                        }

                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    }
                }
                else if (disposition.IsFormDisposition())
                {
                    using var text = new StreamReader(section.Body);
                    var value = await text.ReadToEndAsync(cancellationToken);
                    fields[HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty] = value.Length > 100 ? value[..100] : value;
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limits.MaxUploadBytes));
        }
        catch (InvalidDataException ex)
        {
            return (null, Bad($"The form could not be read: {ex.Message}"));
        }

        if (!hasFile || file.Length == 0)
        {
            return (null, Bad("The form has no file, or the file is empty: send the orders export in a field named \"file\"."));
        }

        file.Position = 0;
        try
        {
            return (await reports.BuildAsync(file, fields.GetValueOrDefault("industry"), fields.GetValueOrDefault("currency"), cancellationToken), null);
        }
        catch (BenchmarkReportException ex)
        {
            return (null, TypedResults.Problem(statusCode: ex.Status, title: ex.Title, detail: ex.Message));
        }
    }

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large",
            detail: $"The benchmark report takes files up to {maxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes; export a shorter period (the report reads the last 56 days at most).");

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid benchmark report request", detail: detail);
}
