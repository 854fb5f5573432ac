/* The admin's map picker for an activity place's point (partners ActivityPlaceAdmin). The
   latitude and longitude stay plain number inputs that work without this script; with it, a
   map under them sets both on a click (or a dragged marker), and typing moves the marker.
   Tiles and attribution come from the latitude input's data- attributes (settings). */
(function () {
  "use strict";

  var CITY_HALL = [42.3152, 140.9737]; // 室蘭市役所: where an empty place starts
  var PLACES = 6; // decimal places of the fields

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function init() {
    var latitude = document.querySelector('input[data-place-picker="latitude"]');
    var longitude = document.querySelector('input[data-place-picker="longitude"]');
    if (!latitude || !longitude || typeof window.L === "undefined") {
      return;
    }
    var L = window.L;
    var box = document.createElement("div");
    box.className = "place-picker";
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", latitude.dataset.mapLabel || "Map");
    var row = longitude.closest(".form-row") || longitude.parentNode;
    row.parentNode.insertBefore(box, row.nextSibling);

    var map = L.map(box);
    var attribution = latitude.dataset.attributionUrl
      ? '<a href="' + escapeHtml(latitude.dataset.attributionUrl) + '">' +
        escapeHtml(latitude.dataset.attribution) + "</a>"
      : escapeHtml(latitude.dataset.attribution || "");
    L.tileLayer(latitude.dataset.tileUrl, { attribution: attribution, maxZoom: 18 }).addTo(map);
    var marker = null;

    function typed() {
      var lat = parseFloat(latitude.value);
      var lon = parseFloat(longitude.value);
      return isNaN(lat) || isNaN(lon) ? null : L.latLng(lat, lon);
    }

    function put(point) {
      if (marker) {
        marker.setLatLng(point);
        return;
      }
      // A drawn marker, not Leaflet's default image: its path would miss the hashed names of
      // the static files' manifest.
      var icon = L.divIcon({
        className: "place-marker place-marker--picked",
        html: '<span class="place-marker__shape" aria-hidden="true"></span>',
        iconSize: [28, 28],
        iconAnchor: [14, 14],
      });
      marker = L.marker(point, { icon: icon, draggable: true, title: latitude.dataset.mapLabel });
      marker.addTo(map);
      marker.on("dragend", function () {
        fill(marker.getLatLng());
      });
    }

    function fill(point) {
      latitude.value = point.lat.toFixed(PLACES);
      longitude.value = point.lng.toFixed(PLACES);
      put(point);
    }

    map.on("click", function (event) {
      fill(event.latlng);
    });
    [latitude, longitude].forEach(function (input) {
      input.addEventListener("change", function () {
        var point = typed();
        if (point) {
          put(point);
          map.panTo(point);
        }
      });
    });
    var start = typed();
    if (start) {
      put(start);
      map.setView(start, 16);
    } else {
      map.setView(CITY_HALL, 13);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
