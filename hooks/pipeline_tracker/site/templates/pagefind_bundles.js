// Put before Pagefind's own scripts (pagefind.js, pagefind-worker.js) by the build
// (site/search_index.py, write_bundles). Pagefind fetches one file per result,
// fragment/<name>.pf_fragment; the build bundles them into fragment/<n>.pf_bundle (a line of JSON
// {name: [offset, length]}, then the fragments' bytes). This answers Pagefind's request with the
// fragment's bytes cut from its bundle (each bundle fetched once), in the page or the web worker.
(function (scope) {
  if (scope.__ptFragmentBundles || typeof scope.fetch !== "function") return;
  scope.__ptFragmentBundles = true;
  var realFetch = scope.fetch.bind(scope);
  var layouts = {};
  var bundles = {};
  function fnv(name) {  // 32-bit FNV-1a of the name's UTF-8 bytes, as search_index.fragment_bundle
    var value = 0x811c9dc5;
    var bytes = new TextEncoder().encode(name);
    for (var i = 0; i < bytes.length; i++) value = Math.imul(value ^ bytes[i], 0x01000193) >>> 0;
    return value;
  }
  function bundle(url) {
    if (!bundles[url]) {
      bundles[url] = realFetch(url).then(function (response) {
        if (!response.ok) throw new Error("search fragments " + url + ": " + response.status);
        return response.arrayBuffer();
      }).then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        var end = bytes.indexOf(10);
        return { table: JSON.parse(new TextDecoder().decode(bytes.subarray(0, end))), body: bytes.subarray(end + 1) };
      });
      bundles[url].catch(function () { delete bundles[url]; });
    }
    return bundles[url];
  }
  scope.fetch = function (input, init) {
    var url = typeof input === "string" ? input : input && input.url;
    var match = url && /^(.*\/)?fragment\/([^\/?#]+)\.pf_fragment(?:[?#].*)?$/.exec(String(url));
    if (!match) return realFetch(input, init);
    var folder = match[1] || "";
    var name = decodeURIComponent(match[2]);
    if (!layouts[folder]) {
      layouts[folder] = realFetch(folder + "fragment-bundles.json").then(
        function (response) { return response.ok ? response.json() : null; },
        function () { return null; });
    }
    return layouts[folder].then(function (layout) {
      if (!layout) return realFetch(input, init);  // an index whose fragments are not bundled
      var n = layout.bits ? fnv(name) >>> (32 - layout.bits) : 0;
      return bundle(folder + "fragment/" + n + ".pf_bundle").then(function (found) {
        var at = found.table[name];
        if (!at) return new Response("", { status: 404 });
        return new Response(found.body.slice(at[0], at[0] + at[1]));
      });
    });
  };
})(self);
