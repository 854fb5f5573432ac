/* The map of まち「ピカ」 places on the programme page (Leaflet, static/vendor/leaflet/).
   Progressive enhancement: the page lists every place without this script; the map appears
   only when Leaflet has loaded and there are points. The points come from the JSON data
   element #places-map-data (json_script), the tiles and labels from the map's data- attributes.
   A marker's shape, its sign (! or ✓), its name (title, aria-label) and its popup all say
   whether the place still needs someone: never the colour alone. */
(function () {
  "use strict";

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function popup(place, status) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = place.name;
    name.lang = "ja";
    var where = document.createElement("div");
    where.textContent = place.district + "・" + place.kind;
    var state = document.createElement("div");
    state.textContent = status;
    box.appendChild(name);
    box.appendChild(where);
    box.appendChild(state);
    return box;
  }

  function init() {
    var element = document.getElementById("places-map");
    var data = document.getElementById("places-map-data");
    var wrap = document.getElementById("places-map-wrap");
    if (!element || !data || !wrap || typeof window.L === "undefined") {
      return;
    }
    var places = JSON.parse(data.textContent);
    if (!places.length) {
      return;
    }
    wrap.hidden = false;
    var L = window.L;
    var map = L.map(element, { scrollWheelZoom: false });
    var attribution = element.dataset.attributionUrl
      ? '<a href="' + escapeHtml(element.dataset.attributionUrl) + '">' +
        escapeHtml(element.dataset.attribution) + "</a>"
      : escapeHtml(element.dataset.attribution || "");
    L.tileLayer(element.dataset.tileUrl, {
      attribution: attribution,
      maxZoom: 18,
      minZoom: 5,
    }).addTo(map);
    // The view first: Leaflet adds markers to a map only once it has one.
    var points = places.map(function (place) {
      return [place.lat, place.lon];
    });
    if (points.length === 1) {
      map.setView(points[0], 16);
    } else {
      map.fitBounds(points, { padding: [24, 24], maxZoom: 16 });
    }
    places.forEach(function (place) {
      var state = place.adopted ? "adopted" : "needed";
      var status = place.adopted ? element.dataset.labelAdopted : element.dataset.labelNeeded;
      var name = place.name + "（" + status + "）";
      var icon = L.divIcon({
        className: "place-marker place-marker--" + state,
        html:
          '<span class="place-marker__shape" aria-hidden="true"><span class="place-marker__sign">' +
          (place.adopted ? "✓" : "!") +
          "</span></span>",
        iconSize: [28, 28],
        iconAnchor: [14, 14],
        popupAnchor: [0, -16],
      });
      var marker = L.marker([place.lat, place.lon], { icon: icon, title: name, alt: name });
      marker.addTo(map);
      marker.getElement().setAttribute("aria-label", name);
      marker.bindPopup(popup(place, status));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
