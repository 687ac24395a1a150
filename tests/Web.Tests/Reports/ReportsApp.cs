using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Reports;

/// <summary>
/// The shared <see cref="SalesDashHost"/> with reports mailed to <paramref name="smtp"/> (host:port) from a reports
/// address. Given a <paramref name="dataDirectory"/>, apps may share it one after the other, as a server restarted with
/// new settings does (or use <see cref="SalesDashHost.RestartAsync"/>).
/// </summary>
public sealed class ReportsApp(string? dataDirectory, string smtp, IReadOnlyDictionary<string, string>? settings = null)
    : SalesDashHost(new SalesDashHostOptions { DataDirectory = dataDirectory, Settings = Settings(smtp, settings) })
{
    public static Dictionary<string, string> Settings(string smtp, IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = SalesDashHostOptions.SmtpSettings(smtp);
        all["Mail:From"] = "Reports <reports@salesdash.test>";
        all["Reports:RenderTimeout"] = "00:01:00";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        return all;
    }
}
