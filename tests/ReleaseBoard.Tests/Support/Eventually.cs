namespace ReleaseBoard.Tests.Support;

/// <summary>
/// Waits for something that is not a render, such as a JS interop call recorded by bUnit: WaitForAssertion re-checks
/// only when the component renders, so a call made after the last render would never be seen by it.
/// </summary>
public static class Eventually
{
    public static async Task AssertAsync(Action assertion, int timeoutMilliseconds = 10_000)
    {
        for (var waited = 0; ; waited += 20)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (waited < timeoutMilliseconds)
            {
                await Task.Delay(20, Xunit.TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>The same, for an assertion that reads something first (the store, say).</summary>
    public static async Task AssertAsync(Func<Task> assertion, int timeoutMilliseconds = 10_000)
    {
        for (var waited = 0; ; waited += 20)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (waited < timeoutMilliseconds)
            {
                await Task.Delay(20, Xunit.TestContext.Current.CancellationToken);
            }
        }
    }
}
