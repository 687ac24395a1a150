using Microsoft.Extensions.DependencyInjection.Extensions;
using SalesDash.Engine.Clustering;

namespace SalesDash.Web.Reports;

/// <summary>Registers reports: the store in the app database, the composer, printer and mailer, and the schedule (a cluster job).</summary>
public static class ReportsHosting
{
    public static IServiceCollection AddReports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReportOptions>()
            .Bind(configuration.GetSection(ReportOptions.Section))
            .Validate(o => o.RenderTimeout > TimeSpan.Zero, "Reports:RenderTimeout must be positive.")
            .Validate(o => o.MaxAttempts >= 1, "Reports:MaxAttempts must be at least 1.")
            .Validate(o => o.RetryDelay > TimeSpan.Zero, "Reports:RetryDelay must be positive.")
            .Validate(o => o.SchedulerTick > TimeSpan.Zero, "Reports:SchedulerTick must be positive.")
            .Validate(o => o.SendLease > TimeSpan.Zero, "Reports:SendLease must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<IReportStore, EfReportStore>();
        services.TryAddSingleton<ReportComposer>();
        services.TryAddSingleton<ReportPdfPrinter>();
        services.TryAddSingleton<ReportFiles>();
        services.TryAddSingleton<ReportMailer>();
        services.TryAddSingleton<ReportSender>();
        services.TryAddSingleton<ReportRunner>();
        services.TryAddSingleton<ReportJob>();
        services.TryAddSingleton<ReportScheduler>();
        // Sent by the cluster-jobs singleton: one node sends, however many run.
        services.AddSingleton<IClusterJob>(sp => sp.GetRequiredService<ReportScheduler>());
        return services;
    }
}
