using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;

namespace SalesDash.Web.Reports;

/// <summary>Registers reports: the store in the app database, the composer, printer and mailer, and Quartz (in-memory) for the schedule.</summary>
public static class ReportsHosting
{
    public static IServiceCollection AddReports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReportOptions>()
            .Bind(configuration.GetSection(ReportOptions.Section))
            .Validate(o => o.RenderTimeout > TimeSpan.Zero, "Reports:RenderTimeout must be positive.")
            .Validate(o => o.MaxAttempts >= 1, "Reports:MaxAttempts must be at least 1.")
            .Validate(o => o.RetryDelay > TimeSpan.Zero, "Reports:RetryDelay must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<IReportStore, EfReportStore>();
        services.TryAddSingleton<ReportComposer>();
        services.TryAddSingleton<ReportPdfPrinter>();
        services.TryAddSingleton<ReportMailer>();
        services.TryAddSingleton<ReportRunner>();
        services.TryAddSingleton<ReportScheduler>();
        services.AddTransient<ReportJob>();
        services.AddQuartz(q => q.UseInMemoryStore());
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = false);
        services.AddHostedService(sp => sp.GetRequiredService<ReportScheduler>());
        return services;
    }
}
