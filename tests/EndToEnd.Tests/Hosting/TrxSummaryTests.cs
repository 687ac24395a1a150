using System.Diagnostics;

namespace SalesDash.EndToEnd.Tests.Hosting;

/// <summary>
/// The closing line CI reads (`scripts/trx-summary.py`, run by ./test.sh): every result file counts, the front end's
/// JUnit XML included, and a step that failed before any test ran is a failure, never a silent gap.
/// </summary>
public sealed class TrxSummaryTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly DirectoryInfo _results = Directory.CreateTempSubdirectory("salesdash-trx-summary-");

    public void Dispose() => _results.Delete(recursive: true);

    [Fact]
    public async Task Sums_trx_and_junit_files_and_names_each_failed_test()
    {
        await WriteTrxAsync("Engine.Tests.trx", passed: 3, failed: 1, failedName: "Folds_every_order");
        await WriteJunitAsync("FrontEnd.junit.xml", passed: 2, failedName: "saves the lead time", skipped: 1);

        var (exit, output) = await RunAsync("2");

        Assert.Equal(1, exit);
        Assert.Contains("FAILED Engine.Tests: Folds_every_order", output);
        Assert.Contains("FAILED FrontEnd: RecommendationsPage.test.tsx > saves the lead time", output);
        Assert.Equal("5 passed, 2 failed, 1 skipped", LastLine(output));
    }

    [Fact]
    public async Task Passes_when_every_file_passed()
    {
        await WriteTrxAsync("Web.Tests.trx", passed: 4, failed: 0, failedName: null);
        await WriteJunitAsync("FrontEnd.junit.xml", passed: 2, failedName: null, skipped: 0);

        var (exit, output) = await RunAsync("2");

        Assert.Equal(0, exit);
        Assert.Equal("6 passed, 0 failed", LastLine(output));
    }

    [Fact]
    public async Task A_failed_step_counts_as_a_failure_and_is_named()
    {
        await WriteTrxAsync("Web.Tests.trx", passed: 4, failed: 0, failedName: null);

        var (exit, output) = await RunAsync("1", "--failed-step=npm run build (src/Web/ClientApp)");

        Assert.Equal(1, exit);
        Assert.Contains("step failed: npm run build (src/Web/ClientApp)", output);
        Assert.Equal("4 passed, 1 failed", LastLine(output));
    }

    [Fact]
    public async Task A_missing_result_file_fails_the_run()
    {
        await WriteTrxAsync("Web.Tests.trx", passed: 4, failed: 0, failedName: null);

        var (exit, output) = await RunAsync("3");

        Assert.Equal(1, exit);
        Assert.Contains("expected 3 result files, found 1", output);
        Assert.Equal("4 passed, 0 failed", LastLine(output));
    }

    [Fact]
    public async Task A_run_aborted_as_hung_fails_and_names_the_test_that_was_running()
    {
        // What dotnet test writes when --blame-hang-timeout kills a hung test host: every finished test passed, the
        // summary's counters show no failure, and only a RunInfo says the run was aborted.
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <Results><UnitTestResult testName="Connectors.Tests.A.Finishes" outcome="Passed" /></Results>
              <ResultSummary outcome="Failed">
                <Counters total="1" executed="1" passed="1" failed="0" error="0" timeout="0" aborted="0" />
                <RunInfos>
                  <RunInfo computerName="ci" outcome="Error"><Text>The active test run was aborted. Reason: Test host process crashed</Text></RunInfo>
                  <RunInfo computerName="ci" outcome="Warning"><Text>Data collector 'Blame' message: The specified inactivity time of 10 minutes has elapsed.</Text></RunInfo>
                </RunInfos>
                <CollectorDataEntries>
                  <Collector agentName="ci" uri="datacollector://microsoft/TestPlatform/Extensions/Blame/v1" collectorDisplayName="Blame">
                    <UriAttachments><UriAttachment><A href="ci/Sequence_16c2.xml"></A></UriAttachment></UriAttachments>
                  </Collector>
                </CollectorDataEntries>
              </ResultSummary>
            </TestRun>
            """;
        await File.WriteAllTextAsync(Path.Combine(_results.FullName, "Connectors.Tests.trx"), xml, Ct);
        var blame = _results.CreateSubdirectory("2db8357f");
        await File.WriteAllTextAsync(Path.Combine(blame.FullName, "Sequence_16c2.xml"), """
            <?xml version="1.0"?>
            <TestSequence>
              <Test Name="Connectors.Tests.A.Finishes" DisplayName="Connectors.Tests.A.Finishes" />
              <Test Name="Connectors.Tests.B.Hangs" DisplayName="Connectors.Tests.B.Hangs" />
            </TestSequence>
            """, Ct);
        // Another project's aborted run leaves its own sequence in the same folder; its tests were not running here.
        await File.WriteAllTextAsync(Path.Combine(_results.CreateSubdirectory("7f3e9a01").FullName, "Sequence_9a41.xml"), """
            <?xml version="1.0"?>
            <TestSequence><Test Name="Web.Tests.C.Elsewhere" DisplayName="Web.Tests.C.Elsewhere" /></TestSequence>
            """, Ct);

        var (exit, output) = await RunAsync("1");

        Assert.Equal(1, exit);
        Assert.Contains("FAILED Connectors.Tests: run aborted while Connectors.Tests.B.Hangs ran\n", output);
        Assert.Contains("Test host process crashed", output);
        Assert.Equal("1 passed, 1 failed", LastLine(output));
    }

    [Fact]
    public async Task A_failed_test_echoed_as_a_run_error_counts_once_and_is_not_an_abort()
    {
        // What ci47's Web.Tests wrote for one failed test: xUnit's adapter echoes it as a RunInfo with outcome Error, the
        // run finished (the blame collector says so), and the counters hold the failure. It read "2 failed" before.
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <Results>
                <UnitTestResult testName="Web.Tests.Reports.A_send_is_sent_once" outcome="Failed"><Output><ErrorInfo><Message>Expected Sent, found Running</Message></ErrorInfo></Output></UnitTestResult>
              </Results>
              <ResultSummary outcome="Failed">
                <Counters total="4" executed="4" passed="3" failed="1" />
                <RunInfos>
                  <RunInfo computerName="ci" outcome="Error"><Text>[xUnit.net 00:02:35.45]     Web.Tests.Reports.A_send_is_sent_once [FAIL]</Text></RunInfo>
                  <RunInfo computerName="ci" outcome="Error"><Text>[xUnit.net 00:02:40.00]     Web.Tests.Other.Not_among_the_results [FAIL]</Text></RunInfo>
                  <RunInfo computerName="ci" outcome="Warning"><Text>Data collector 'Blame' message: All tests finished running, Sequence file will not be generated.</Text></RunInfo>
                </RunInfos>
              </ResultSummary>
            </TestRun>
            """;
        await File.WriteAllTextAsync(Path.Combine(_results.FullName, "Web.Tests.trx"), xml, Ct);

        var (exit, output) = await RunAsync("1");

        Assert.Equal(1, exit);
        Assert.Contains("FAILED Web.Tests: Web.Tests.Reports.A_send_is_sent_once\n", output);
        Assert.DoesNotContain("A_send_is_sent_once [FAIL]", output);
        // An error the results do not hold (here a test with no result) is still the run's own failure.
        Assert.Contains("FAILED Web.Tests: run aborted", output);
        Assert.Contains("Not_among_the_results [FAIL]", output);
        Assert.Equal("3 passed, 2 failed", LastLine(output));
    }

    private static string LastLine(string output) => output.TrimEnd().Split('\n')[^1].Trim();

    private async Task<(int Exit, string Output)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("python3", [RepositoryRoot.Combine("scripts", "trx-summary.py"), _results.FullName, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        // Problems go to stderr and the closing line to stdout, last; stderr is put first so the line stays last here.
        return (process.ExitCode, await stderr + await stdout);
    }

    private Task WriteTrxAsync(string name, int passed, int failed, string? failedName)
    {
        var result = failedName is null
            ? ""
            : $"""<UnitTestResult testName="{failedName}" outcome="Failed"><Output><ErrorInfo><Message>Expected 520 orders, found 519</Message></ErrorInfo></Output></UnitTestResult>""";
        var xml = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <Results>{result}</Results>
              <ResultSummary outcome="{(failed == 0 ? "Completed" : "Failed")}">
                <Counters total="{passed + failed}" executed="{passed + failed}" passed="{passed}" failed="{failed}" />
              </ResultSummary>
            </TestRun>
            """;
        return File.WriteAllTextAsync(Path.Combine(_results.FullName, name), xml, Ct);
    }

    private Task WriteJunitAsync(string name, int passed, string? failedName, int skipped)
    {
        var cases = string.Concat(Enumerable.Range(0, passed).Select(i => $"""<testcase classname="src/a.test.ts" name="passes {i}" time="0.01"></testcase>"""));
        cases += string.Concat(Enumerable.Range(0, skipped).Select(i => $"""<testcase classname="src/a.test.ts" name="skips {i}" time="0"><skipped/></testcase>"""));
        if (failedName is not null)
        {
            cases += $"""<testcase classname="RecommendationsPage.test.tsx" name="{failedName}" time="5.0"><failure message="Test timed out in 5000ms." type="Error">stack</failure></testcase>""";
        }

        var xml = $"""
            <?xml version="1.0" encoding="UTF-8" ?>
            <testsuites name="vitest tests">
              <testsuite name="src/a.test.ts">{cases}</testsuite>
            </testsuites>
            """;
        return File.WriteAllTextAsync(Path.Combine(_results.FullName, name), xml, Ct);
    }
}
