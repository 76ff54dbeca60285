package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.conprof.core.model.Labels;
import io.conprof.core.pprof.FlameGraph;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileMerger;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.pprof.TopTable;
import io.conprof.core.scrape.DroppedTarget;
import io.conprof.core.scrape.TargetHealth;
import io.conprof.core.scrape.TargetStatus;
import io.conprof.core.testing.Fixtures;
import io.conprof.core.testing.GoPprof;
import io.conprof.query.eval.QueryLimits;
import io.conprof.query.web.WebServer;
import io.conprof.tsdb.Appender;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in headless Chromium against the real API server and a real store: real mouse clicks
 * on timeline dots, drags and shift-clicks, with every expectation computed from the fixtures with
 * conprof-core's own views (the flame graph's widest top-level frame, the top table's first row,
 * merges and diffs). The browser talks to 127.0.0.1 only; Selenium uses the installed chromedriver
 * and never runs Selenium Manager. Screenshots go to target/browser-artifacts.
 */
class WebUiBrowserTest {
  private static final String CHROMIUM = System.getProperty("conprof.test.chromium", "/usr/bin/chromium");
  private static final String CHROMEDRIVER = System.getProperty("conprof.test.chromedriver", "/usr/bin/chromedriver");
  private static final ProfileReader READER = ProfileReader.defaults();
  private static final Path ARTIFACTS = Path.of("target", "browser-artifacts");

  /** Series 0 of {@code cpu{job="shop"}}: a different profile at each point, 4 minutes apart. */
  private static final List<String> WEB1_CPU = List.of("pprof__sample.cpu", "golang-1.19__compress-flate.cpu.pprof",
      "converted__java.cpu.pb.gz", "pyroscope__cpu.pb.gz", "parca__query-fib.pb.gz");
  private static final List<String> WEB2_CPU = List.of("converted__gobench.cpu.pb.gz", "converted__cppbench.cpu.pb.gz");
  private static final List<String> WEB1_HEAP = List.of("converted__gobench.heap.pb.gz",
      "golang-1.19__compress-flate.mem.pprof");

  @TempDir static Path tmp;
  private static Tsdb tsdb;
  private static WebServer server;
  private static WebServer prefixed;
  private static WebServer limited;
  private static ChromeDriver driver;
  private static final List<Long> web1Times = new ArrayList<>();
  /** Series of {@code cpu{job="fleet"}}: enough rows that the timeline list scrolls. */
  private static final int FLEET_SIZE = 40;
  private static final List<Long> host35Times = new ArrayList<>();

  private String testName;

  @BeforeAll
  static void startStoreServersAndBrowser() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMIUM)),
        "headless Chromium is not installed at " + CHROMIUM + " (apt-get install chromium); .ci/run installs it");
    Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMEDRIVER)),
        "chromedriver is not installed at " + CHROMEDRIVER + " (apt-get install chromium-driver); .ci/run installs it");
    tsdb = Tsdb.open(tmp.resolve("db"), TsdbOptions.builder().backgroundCompaction(false).build());
    long base = (System.currentTimeMillis() / 1000 - 20 * 60) * 1000;
    Appender app = tsdb.appender();
    for (int i = 0; i < WEB1_CPU.size(); i++) {
      long ts = base + i * 240_000L;
      web1Times.add(ts);
      app.append(cpu("web-1:8080"), ts, Files.readAllBytes(Fixtures.pprof(WEB1_CPU.get(i))));
    }
    for (int i = 0; i < WEB2_CPU.size(); i++) {
      app.append(cpu("web-2:8080"), base + 120_000L + i * 240_000L, Files.readAllBytes(Fixtures.pprof(WEB2_CPU.get(i))));
    }
    for (int i = 0; i < WEB1_HEAP.size(); i++) {
      app.append(Labels.of("__name__", "heap", "job", "shop", "instance", "web-1:8080"), base + 60_000L + i * 360_000L,
          Files.readAllBytes(Fixtures.pprof(WEB1_HEAP.get(i))));
    }
    for (int h = 0; h < FLEET_SIZE; h++) {
      for (int i = 0; i < 3; i++) {
        long ts = base + i * 540_000L + h * 1000L;
        if (h == 35) {
          host35Times.add(ts);
        }
        app.append(Labels.of("__name__", "cpu", "job", "fleet", "instance", String.format("host-%02d:8080", h)), ts,
            Files.readAllBytes(Fixtures.pprof("converted__java.cpu.pb.gz")));
      }
    }
    app.commit();

    TargetStatus targets = new TargetStatus(List.of(
        new TargetHealth(Labels.of("__name__", "heap", "job", "shop", "instance", "web-1:8080"), Labels.EMPTY, "shop",
            "http://web-1:8080/debug/pprof/heap", TargetHealth.Health.UP, "", Optional.of(Instant.now()),
            Duration.ofMillis(12), 2),
        new TargetHealth(Labels.of("__name__", "cpu", "job", "shop", "instance", "web-3:8080"), Labels.EMPTY, "shop",
            "http://web-3:8080/debug/pprof/profile", TargetHealth.Health.DOWN, "connection refused",
            Optional.of(Instant.now()), Duration.ofMillis(3), 0)),
        List.of(new DroppedTarget("shop", Labels.of("__address__", "web-4:8080"), "relabelled away")));
    server = WebServer.builder().address(new InetSocketAddress("127.0.0.1", 0)).tsdb(tsdb)
        .targets(() -> targets).pprof(false).build();
    prefixed = WebServer.builder().address(new InetSocketAddress("127.0.0.1", 0)).tsdb(tsdb)
        .externalUrl("http://proxy.example/conprof").pprof(false).build();

    limited = WebServer.builder().address(new InetSocketAddress("127.0.0.1", 0)).tsdb(tsdb)
        .queryLimits(QueryLimits.DEFAULTS.withMaxSeries(1)).pprof(false).build();

    System.setProperty("SE_AVOID_STATS", "true");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1400,1000", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-default-apps", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1");
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
  }

  private static Labels cpu(String instance) {
    return Labels.of("__name__", "cpu", "job", "shop", "instance", instance);
  }

  @AfterAll
  static void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (server != null) {
      server.close();
    }
    if (prefixed != null) {
      prefixed.close();
    }
    if (limited != null) {
      limited.close();
    }
    if (tsdb != null) {
      tsdb.close();
    }
  }

  @BeforeEach
  void name(TestInfo info) {
    testName = info.getTestMethod().map(m -> m.getName()).orElse("test");
  }

  @AfterEach
  void screenshot() throws Exception {
    if (driver != null) {
      Files.createDirectories(ARTIFACTS);
      Files.write(ARTIFACTS.resolve(testName + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }
  }

  // ---- tests

  @Test
  void clickingADot_showsThatProfilesFlameGraphAndTopTable() throws Exception {
    open(server, "");
    runQuery("cpu{job=\"shop\"}");

    assertThat(rowHeadings()).containsExactly("cpu{instance=\"web-1:8080\", job=\"shop\"}",
        "cpu{instance=\"web-2:8080\", job=\"shop\"}");
    clickPoint(0, 3, false);

    Profile expected = READER.read(Fixtures.pprof(WEB1_CPU.get(3)));
    String widest = widestTopFrame(FlameGraph.of(expected, null));
    assertThat(state("a")).isEqualTo(Map.of("kind", "t", "timeMs", web1Times.get(3),
        "selector", "cpu{instance=\"web-1:8080\",job=\"shop\"}"));
    assertThat(hoverFrame(widest)).startsWith(widest + "\n");
    assertThat(frameList().get(0)).isEqualTo(widest);
    assertThat(topRows().get(0)).isEqualTo(TopTable.of(expected, null).report(500).rows().get(0).name());
    assertThat(flameNodes()).isEqualTo(FlameGraph.of(expected, null).pruned(0.0001).nodeCount());
    assertThat(measureNames()).contains("conprof:timeline-render", "conprof:flamegraph-render");
    @SuppressWarnings("unchecked")
    List<Number> canvas = (List<Number>) js("const c = document.getElementById('flamegraph');"
        + "return [c.width / devicePixelRatio, c.getBoundingClientRect().width];");
    assertThat(canvas.get(0).doubleValue()).as("the flame graph's bitmap is not stretched")
        .isCloseTo(canvas.get(1).doubleValue(), within(1.0));
    assertNoPageErrors();
  }

  @Test
  void downloadLink_servesTheStoredProfile() throws Exception {
    String href = openFirstWeb1Profile();

    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(href)).build(),
        HttpResponse.BodyHandlers.ofByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).contains("profile.pb.gz"));
    assertThat(READER.parse(r.body()).totals()).containsExactly(Fixtures.expected(WEB1_CPU.get(0)).totals());
    assertNoPageErrors();
  }

  @Test
  void downloadedProfile_isReadByGoToolPprof() throws Exception {
    Assumptions.assumeTrue(GoPprof.available(), GoPprof.MISSING);
    String href = openFirstWeb1Profile();
    Path file = tmp.resolve("download.pb.gz");

    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(href)).build(),
        HttpResponse.BodyHandlers.ofFile(file));

    assertThat(GoPprof.totals(file)).containsExactly(Fixtures.expected(WEB1_CPU.get(0)).totals());
  }

  @Test
  void dragSelect_showsTheMergeOfTheRange() throws Exception {
    open(server, "?query=" + enc("cpu{job=\"shop\"}"));
    waitForTimeline(0);

    dragPoints(0, 1, 2);

    ProfileMerger merger = new ProfileMerger();
    merger.add(READER.read(Fixtures.pprof(WEB1_CPU.get(1))));
    merger.add(READER.read(Fixtures.pprof(WEB1_CPU.get(2))));
    Profile merged = merger.result();
    @SuppressWarnings("unchecked")
    Map<String, Object> a = (Map<String, Object>) state("a");
    assertThat(a.get("kind")).isEqualTo("r");
    assertThat(((Number) a.get("fromMs")).longValue()).isBetween(web1Times.get(0) + 1, web1Times.get(1));
    assertThat(((Number) a.get("toMs")).longValue()).isBetween(web1Times.get(2), web1Times.get(3) - 1);
    assertThat(text("profile-error")).isEmpty();
    String widest = widestTopFrame(FlameGraph.of(merged, null));
    assertThat(frameList().get(0)).isEqualTo(widest);
    assertThat(hoverFrame(widest)).startsWith(widest + "\n");
    assertThat(topRows().get(0)).isEqualTo(TopTable.of(merged, null).report(500).rows().get(0).name());
    assertNoPageErrors();
  }

  @Test
  void shiftClick_showsTheDiffAgainstTheOpenProfile() throws Exception {
    open(server, "?query=" + enc("cpu{job=\"shop\"}"));
    waitForTimeline(0);
    clickPoint(0, 0, false);

    clickPoint(0, 4, true);

    Profile base = READER.read(Fixtures.pprof(WEB1_CPU.get(0)));
    Profile target = READER.read(Fixtures.pprof(WEB1_CPU.get(4)));
    FlameGraph diff = FlameGraph.diff(base, target, null);
    assertThat(text("profile-error")).isEmpty();
    assertThat(js("return window.conprof.flameIsDiff()")).isEqualTo(true);
    assertThat(driver.findElement(By.id("flame-legend")).isDisplayed()).isTrue();
    String widestName = widestTopFrame(diff);
    FlameGraph.Node widest = diff.root().children().stream().filter(n -> n.name().equals(widestName))
        .findFirst().orElseThrow();
    assertThat(hoverFrame(widest.name())).startsWith(widest.name() + "\n").contains("B ").contains(" · A ");
    @SuppressWarnings("unchecked")
    Map<String, Object> top = (Map<String, Object>) js("return window.conprof.topFrames()[0]");
    assertThat(top.get("name")).isEqualTo(widest.name());
    assertThat(((Number) top.get("base")).longValue()).isEqualTo(widest.baseValue());
    assertThat(topRows().get(0))
        .isEqualTo(TopTable.of(Profile.diff(base, target), null).report(500).rows().get(0).name());
    assertThat(driver.getCurrentUrl()).contains("&b=");
    assertNoPageErrors();
  }

  @Test
  void topTableRow_searchesItsFunctionAndShowsItsShare() throws Exception {
    openFirstWeb1Profile();
    TopTable.ReportRow first = TopTable.of(READER.read(Fixtures.pprof(WEB1_CPU.get(0))), null).report(500).rows().get(0);

    driver.findElement(By.cssSelector("[data-testid=top-table] tbody tr")).click();

    String search = driver.findElement(By.id("search")).getDomProperty("value");
    assertThat(search).isEqualTo("^" + first.name().replaceAll("[.*+?^${}()|\\[\\]\\\\]", "\\\\$0") + "$");
    new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> !text("search-share").isEmpty());
    String share = text("search-share");
    assertThat(share).startsWith("matched ");
    double percent = Double.parseDouble(share.substring("matched ".length(), share.indexOf('%')));
    assertThat(percent).isCloseTo(first.cumPercent(), within(0.01));
    assertNoPageErrors();
  }

  @Test
  void url_reproducesTheViewOnReloadAndTheBackButtonReturns() throws Exception {
    open(server, "?query=" + enc("cpu{job=\"shop\"}"));
    waitForTimeline(0);
    clickPoint(0, 2, false);
    String url = driver.getCurrentUrl();
    String widest = widestTopFrame(FlameGraph.of(READER.read(Fixtures.pprof(WEB1_CPU.get(2))), null));

    driver.navigate().refresh();
    waitForProfile(0);

    assertThat(driver.getCurrentUrl()).isEqualTo(url);
    assertThat(frameList().get(0)).isEqualTo(widest);
    assertThat(driver.findElement(By.id("expr")).getDomProperty("value")).isEqualTo("cpu{job=\"shop\"}");
    driver.navigate().back();
    new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> !driver.findElement(By.id("profile")).isDisplayed()
        && Boolean.TRUE.equals(js("return window.conprof && window.conprof.state().timelineReady")));
    assertThat(state("a")).isNull();
    assertThat(rowHeadings()).hasSize(2);
    assertNoPageErrors();
  }

  @Test
  void pickers_insertTheProfileTypeAndALabelMatcher() throws Exception {
    open(server, "");
    new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> new Select(el("profile-type")).getOptions().size() > 1);
    long before = renders("timeline");

    new Select(el("profile-type")).selectByValue("heap");
    waitForTimeline(before);
    new Select(el("label-name")).selectByValue("instance");
    new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> new Select(el("label-value")).getOptions().size() > 1);
    new Select(el("label-value")).selectByValue("web-1:8080");
    el("add-matcher").click();
    long beforeRun = renders("timeline");
    el("run").click();
    waitForTimeline(beforeRun);

    assertThat(driver.getCurrentUrl()).contains("query=" + enc("heap{instance=\"web-1:8080\"}"));
    assertThat(rowHeadings()).containsExactly("heap{instance=\"web-1:8080\", job=\"shop\"}");
    assertThat(el("expression").getDomProperty("value")).isEqualTo("heap{instance=\"web-1:8080\"}");
    assertNoPageErrors();
  }

  @Test
  void badQueriesAndEmptyResults_showTheServersErrorAndNoResult() throws Exception {
    open(server, "");

    runQuery("cpu{job=");
    assertThat(el("error").isDisplayed()).isTrue();
    assertThat(text("error")).startsWith("bad_data: invalid parameter \"query\"");

    runQuery("cpu{job=\"nowhere\"}");
    assertThat(el("error").isDisplayed()).isFalse();
    assertThat(el("no-result").isDisplayed()).isTrue();
    assertThat(text("no-result")).isEqualTo("No result");
    assertNoPageErrors();
  }

  @Test
  void targetsPage_listsTargetsWithHealthAndErrors() throws Exception {
    open(server, "");
    el("nav-targets").click();
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(d -> !driver.findElements(By.cssSelector("[data-testid=target-row]")).isEmpty());

    List<WebElement> rows = driver.findElements(By.cssSelector("[data-testid=target-row]"));
    assertThat(driver.getCurrentUrl()).endsWith("/targets");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).getText()).contains("http://web-1:8080/debug/pprof/heap", "UP");
    assertThat(rows.get(1).getText()).contains("http://web-3:8080/debug/pprof/profile", "DOWN", "connection refused");
    assertThat(rows.get(1).findElement(By.cssSelector(".health")).getDomAttribute("class")).contains("down");
    assertThat(text("targets-summary")).isEqualTo("2 active (1 down), 1 dropped");
    assertNoPageErrors();
  }

  @Test
  void underAPathPrefix_everyRequestStaysUnderIt() throws Exception {
    assertThat(prefixed.routePrefix()).isEqualTo("/conprof");
    open(prefixed, "graph?query=" + enc("cpu{job=\"shop\"}"));
    waitForTimeline(0);

    clickPoint(1, 1, false);

    String widest = widestTopFrame(FlameGraph.of(READER.read(Fixtures.pprof(WEB2_CPU.get(1))), null));
    assertThat(frameList().get(0)).isEqualTo(widest);
    assertThat(el("download").getDomProperty("href"))
        .startsWith("http://127.0.0.1:" + prefixed.address().getPort() + "/conprof/api/v1/query?");
    @SuppressWarnings("unchecked")
    List<String> resources = (List<String>) js(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)");
    assertThat(resources).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("/conprof/"));
    el("nav-targets").click();
    new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> !text("targets-summary").isEmpty());
    assertThat(driver.getCurrentUrl()).endsWith("/conprof/targets");
    assertNoPageErrors();
  }

  @Test
  void clickingAFrame_zoomsIntoItAndResetZoomReturns() throws Exception {
    openFirstWeb1Profile();
    String widest = widestTopFrame(FlameGraph.of(READER.read(Fixtures.pprof(WEB1_CPU.get(0))), null));
    hoverFrame(widest);

    new Actions(driver).click().perform();

    new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> widest.equals(js("return window.conprof.zoomedFrame()")));
    @SuppressWarnings("unchecked")
    Map<String, Number> pos = (Map<String, Number>) js("return window.conprof.framePosition(arguments[0])", widest);
    long canvasWidth = ((Number) js("return document.getElementById('flamegraph').clientWidth")).longValue();
    assertThat(pos.get("x").doubleValue()).as("a zoomed frame spans the width").isCloseTo(canvasWidth / 2.0, within(1.0));
    el("reset-zoom").click();
    new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> js("return window.conprof.zoomedFrame()") == null);
    assertNoPageErrors();
  }

  @Test
  void topTableHeader_sortsByCumulativeValue() throws Exception {
    openFirstWeb1Profile();
    List<TopTable.ReportRow> rows = new ArrayList<>(
        TopTable.of(READER.read(Fixtures.pprof(WEB1_CPU.get(0))), null).report(500).rows());
    assertThat(topRows()).isEqualTo(rows.stream().map(TopTable.ReportRow::name).toList());

    driver.findElement(By.cssSelector("[data-testid=top-table] th[data-sort=cum]")).click();

    rows.sort(Comparator.comparingLong(TopTable.ReportRow::cum).reversed()
        .thenComparing(Comparator.comparingLong(TopTable.ReportRow::flat).reversed()));
    assertThat(topRows()).isEqualTo(rows.stream().map(TopTable.ReportRow::name).toList());
    assertNoPageErrors();
  }

  @Test
  void compareButton_picksTheDiffsTargetAndSwapAndCloseWork() throws Exception {
    open(server, "?query=" + enc("heap{job=\"shop\"}"));
    waitForTimeline(0);
    clickPoint(0, 0, false);

    el("compare").click();
    clickPoint(0, 1, false);

    Profile first = READER.read(Fixtures.pprof(WEB1_HEAP.get(0)));
    Profile second = READER.read(Fixtures.pprof(WEB1_HEAP.get(1)));
    assertThat(js("return window.conprof.flameIsDiff()")).isEqualTo(true);
    assertThat(topRows().get(0)).isEqualTo(TopTable.of(Profile.diff(first, second), null).report(500).rows().get(0).name());
    long before = renders("profile");
    el("swap").click();
    waitForProfile(before);
    assertThat(topRows().get(0)).isEqualTo(TopTable.of(Profile.diff(second, first), null).report(500).rows().get(0).name());
    before = renders("profile");
    el("clear-b").click();
    waitForProfile(before);
    assertThat(js("return window.conprof.flameIsDiff()")).isEqualTo(false);
    assertThat(state("b")).isNull();
    assertThat(frameList().get(0)).isEqualTo(widestTopFrame(FlameGraph.of(second, null)));
    assertNoPageErrors();
  }

  @Test
  void rangeControls_keepPresetsAndAbsoluteTimesInTheUrl() throws Exception {
    open(server, "?query=" + enc("cpu{job=\"shop\"}"));
    waitForTimeline(0);

    long before = renders("timeline");
    new Select(el("range")).selectByVisibleText("1h");
    waitForTimeline(before);
    assertThat(driver.getCurrentUrl()).contains("range=1h").doesNotContain("from=");
    long from = ((Number) state("resolvedFrom")).longValue();
    long to = ((Number) state("resolvedTo")).longValue();
    assertThat(to - from).isEqualTo(3_600_000L);

    before = renders("timeline");
    el("now").click();
    waitForTimeline(before);
    String url = driver.getCurrentUrl();
    assertThat(url).contains("now=0").contains("from=").contains("to=");
    long fixedFrom = ((Number) state("resolvedFrom")).longValue();
    driver.navigate().refresh();
    waitForTimeline(0);

    assertThat(state("now")).isEqualTo(false);
    assertThat(((Number) state("resolvedFrom")).longValue()).isEqualTo(fixedFrom);
    assertThat(el("now").isSelected()).isFalse();
    assertThat(rowHeadings()).hasSize(2);
    assertNoPageErrors();
  }

  @Test
  void serverWarnings_areShownWithThePartialResult() throws Exception {
    open(limited, "?query=" + enc("cpu{job=\"shop\"}"));
    waitForTimeline(0);

    assertThat(el("warnings").isDisplayed()).isTrue();
    assertThat(text("warnings")).contains("selected 2 series");
    assertThat(rowHeadings()).hasSize(1);
    assertNoPageErrors();
  }

  @Test
  void layoutPicker_showsOnlyTheChosenViewAndIsKeptInTheUrl() throws Exception {
    openFirstWeb1Profile();

    new Select(el("layout")).selectByValue("top");

    assertThat(driver.getCurrentUrl()).contains("view=top");
    assertThat(el("flamegraph").isDisplayed()).isFalse();
    assertThat(el("top-table").isDisplayed()).isTrue();
    driver.navigate().refresh();
    waitForProfile(0);
    assertThat(el("flamegraph").isDisplayed()).isFalse();
    new Select(el("layout")).selectByValue("flame");
    assertThat(el("top-table").isDisplayed()).isFalse();
    String widest = widestTopFrame(FlameGraph.of(READER.read(Fixtures.pprof(WEB1_CPU.get(0))), null));
    assertThat(hoverFrame(widest)).startsWith(widest + "\n");
    assertNoPageErrors();
  }

  @Test
  void startPage_offersTheStoredProfileTypes() throws Exception {
    open(server, "");
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(d -> !driver.findElements(By.cssSelector("[data-testid=start] button")).isEmpty());
    List<WebElement> types = driver.findElements(By.cssSelector("[data-testid=start] button"));
    assertThat(types).extracting(WebElement::getText).containsExactly("cpu", "heap");
    long before = renders("timeline");

    types.get(1).click();

    waitForTimeline(before);
    assertThat(rowHeadings()).containsExactly("heap{instance=\"web-1:8080\", job=\"shop\"}");
    assertThat(el("start").isDisplayed()).isFalse();
    assertThat(driver.getCurrentUrl()).contains("query=heap");
    assertNoPageErrors();
  }

  @Test
  void manySeries_aClickAfterScrollingOpensThePointUnderTheMouse() throws Exception {
    open(server, "?query=" + enc("cpu{job=\"fleet\"}"));
    waitForTimeline(0);
    assertThat(rowHeadings()).hasSize(FLEET_SIZE);

    clickPoint(35, 2, false);

    assertThat(state("a")).isEqualTo(Map.of("kind", "t", "timeMs", host35Times.get(2),
        "selector", "cpu{instance=\"host-35:8080\",job=\"fleet\"}"));
    @SuppressWarnings("unchecked")
    List<Number> geometry = (List<Number>) js("const a = document.getElementById('axis').getBoundingClientRect();"
        + "const canvas = document.querySelector(`[data-testid=series-canvas][data-index='35']`);"
        + "const c = canvas.getBoundingClientRect();"
        + "return [a.left, a.width, c.left, c.width, canvas.width / devicePixelRatio];");
    assertThat(geometry.get(0).doubleValue()).as("axis and rows start together").isEqualTo(geometry.get(2).doubleValue());
    assertThat(geometry.get(1).doubleValue()).as("axis and rows are equally wide").isEqualTo(geometry.get(3).doubleValue());
    assertThat(geometry.get(4).doubleValue()).as("a row's bitmap is not stretched").isCloseTo(geometry.get(3).doubleValue(),
        within(1.0));
    assertNoPageErrors();
  }

  @Test
  void sampleTypePicker_listsTheProfilesTypesAndRedrawsForTheChosenOne() throws Exception {
    open(server, "?query=" + enc("heap{job=\"shop\"}"));
    waitForTimeline(0);
    clickPoint(0, 0, false);
    Profile heap = READER.read(Fixtures.pprof(WEB1_HEAP.get(0)));
    Select picker = new Select(el("sample-type"));
    assertThat(picker.getOptions()).extracting(o -> o.getDomProperty("value"))
        .containsExactlyElementsOf(heap.sampleTypes().stream().map(t -> t.type()).toList());
    assertThat(picker.getFirstSelectedOption().getDomProperty("value"))
        .isEqualTo(heap.sampleTypes().get(heap.sampleTypeIndex(null)).type());
    long before = renders("profile");

    picker.selectByValue("alloc_objects");

    waitForProfile(before);
    assertThat(driver.getCurrentUrl()).contains("sample=alloc_objects");
    assertThat(frameList().get(0)).isEqualTo(widestTopFrame(FlameGraph.of(heap, "alloc_objects")));
    assertThat(topRows().get(0)).isEqualTo(TopTable.of(heap, "alloc_objects").report(500).rows().get(0).name());
    assertThat(el("download").getDomProperty("href")).doesNotContain("sample_index");
    assertNoPageErrors();
  }

  // ---- helpers

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void open(WebServer s, String pathAndQuery) {
    driver.get(s.uri() + pathAndQuery);
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(d -> Boolean.TRUE.equals(js("return typeof window.conprof === 'object'")));
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private static WebElement el(String testId) {
    return driver.findElement(By.cssSelector("[data-testid='" + testId + "']"));
  }

  private static String text(String id) {
    Object t = js("return document.getElementById(arguments[0]).textContent", id);
    return t == null ? "" : t.toString();
  }

  private static Object state(String key) {
    return js("return window.conprof.state()[arguments[0]]", key);
  }

  private static long renders(String what) {
    return ((Number) js("return window.conprof.state().renders[arguments[0]]", what)).longValue();
  }

  private static void waitForTimeline(long rendersBefore) {
    new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> renders("timeline") > rendersBefore);
  }

  private static void waitForProfile(long rendersBefore) {
    new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> renders("profile") > rendersBefore);
  }

  private static void runQuery(String query) {
    long before = renders("timeline");
    WebElement expr = el("expression");
    expr.clear();
    expr.sendKeys(query, Keys.ENTER);
    waitForTimeline(before);
  }

  @SuppressWarnings("unchecked")
  private static List<String> rowHeadings() {
    return (List<String>) js("return [...document.querySelectorAll('[data-testid=series-row] .series-head')]"
        + ".map(e => e.textContent)");
  }

  /** Where point p of series s is, in viewport px, after scrolling its row into view. */
  private static int[] pointInViewport(int s, int p) {
    @SuppressWarnings("unchecked")
    List<Number> xy = (List<Number>) js("const c = document.querySelector("
        + "`[data-testid=series-canvas][data-index='${arguments[0]}']`);"
        + "c.scrollIntoView({block: 'center'});"
        + "const r = c.getBoundingClientRect(), q = window.conprof.pointPosition(arguments[0], arguments[1]);"
        + "return [Math.round(r.left + q.x), Math.round(r.top + q.y)];", s, p);
    return new int[] {xy.get(0).intValue(), xy.get(1).intValue()};
  }

  /** A real click on a timeline dot (with Shift: pick the diff's B). */
  private static void clickPoint(int s, int p, boolean shift) {
    long before = renders("profile");
    int[] xy = pointInViewport(s, p);
    Actions a = new Actions(driver).moveToLocation(xy[0], xy[1]);
    if (shift) {
      a.keyDown(Keys.SHIFT).click().keyUp(Keys.SHIFT);
    } else {
      a.click();
    }
    a.perform();
    waitForProfile(before);
  }

  /** A real drag on series s from just before point `from` to just after point `to`. */
  private static void dragPoints(int s, int from, int to) {
    long before = renders("profile");
    int[] a = pointInViewport(s, from);
    int[] b = pointInViewport(s, to);
    new Actions(driver).moveToLocation(a[0] - 8, a[1]).clickAndHold()
        .moveToLocation((a[0] + b[0]) / 2, a[1]).moveToLocation(b[0] + 8, a[1]).release().perform();
    waitForProfile(before);
  }

  private static String openFirstWeb1Profile() {
    open(server, "?query=" + enc("cpu{job=\"shop\"}"));
    waitForTimeline(0);
    clickPoint(0, 0, false);
    return el("download").getDomProperty("href");
  }

  /** Hovers the shallowest frame named `name` with the mouse and returns the tooltip's text. */
  private static String hoverFrame(String name) {
    @SuppressWarnings("unchecked")
    List<Number> xy = (List<Number>) js("const c = document.getElementById('flamegraph');"
        + "c.parentElement.scrollTop = 0; c.scrollIntoView({block: 'start'});"
        + "const r = c.getBoundingClientRect(), q = window.conprof.framePosition(arguments[0]);"
        + "return q && [Math.round(r.left + q.x), Math.round(r.top + q.y)];", name);
    assertThat(xy).as("frame %s in the flame graph", name).isNotNull();
    js("document.getElementById('tooltip').hidden = true");
    new Actions(driver).moveToLocation(xy.get(0).intValue(), xy.get(1).intValue()).perform();
    new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> el("tooltip").isDisplayed());
    return text("tooltip");
  }

  @SuppressWarnings("unchecked")
  private static List<String> frameList() {
    return (List<String>) js("return [...document.querySelectorAll('[data-testid=flamegraph-frames] li')]"
        + ".map(e => e.dataset.name)");
  }

  @SuppressWarnings("unchecked")
  private static List<String> topRows() {
    return (List<String>) js("return [...document.querySelectorAll('[data-testid=top-table] tbody tr')]"
        + ".map(e => e.dataset.name)");
  }

  private static long flameNodes() {
    return ((Number) js("return window.conprof.flameNodes()")).longValue();
  }

  @SuppressWarnings("unchecked")
  private static List<String> measureNames() {
    return (List<String>) js("return window.conprof.measures().map(m => m.name)");
  }

  /** The name of the widest child of the root; fails if the fixture has a tie (the test would be ambiguous). */
  private static String widestTopFrame(FlameGraph g) {
    List<FlameGraph.Node> top = new ArrayList<>(g.root().children());
    top.sort(Comparator.comparingLong(FlameGraph.Node::value).reversed());
    assertThat(top.size() == 1 || top.get(0).value() > top.get(1).value())
        .as("the fixture's widest top-level frame is unique: %s", top).isTrue();
    return top.get(0).name();
  }

  private static void assertNoPageErrors() {
    assertThat((List<?>) js("return window.conprof.errors()")).as("JavaScript errors on the page").isEmpty();
  }
}
