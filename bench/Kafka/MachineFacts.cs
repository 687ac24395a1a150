using System.Globalization;
using System.Runtime.InteropServices;

namespace SalesDash.Bench.Kafka;

/// <summary>The facts a reader needs to compare these figures with their own machine's.</summary>
public static class MachineFacts
{
    public static string Describe()
    {
        var memoryGiB = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores, {memoryGiB:0.0} GiB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
            $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, load average {LoadAverage()}");
    }

    /// <summary>The 1-minute load average: on a shared machine it says how much else was running.</summary>
    public static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? File.ReadAllText(path).Split(' ')[0] : "n/a";
    }
}
